import * as z from "zod/mini";
import { login } from "#shared/domain/identity.ts";
import { withAuthEvents } from "#shared/http/auth-events.ts";
import { endpoint } from "#shared/http/endpoint.ts";
import { loginName, password } from "#shared/http/schemas.ts";

const body = z.strictObject({ username: loginName, password });

export const handler = endpoint("POST /api/v1/auth/token", { body }, async (req) => {
  const { user, token } = await withAuthEvents(req.audit, () => login(req.body.username, req.body.password));
  return {
    access_token: token.token,
    token_type: "bearer",
    expires_in: token.expiresIn,
    user_id: user.id,
    role: user.role,
  };
});
