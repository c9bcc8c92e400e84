import * as z from "zod/mini";
import { login } from "#shared/domain/identity.ts";
import { withAuthEvents } from "#shared/http/auth-events.ts";
import { endpoint } from "#shared/http/endpoint.ts";
import { loginName, password } from "#shared/http/schemas.ts";
import { securenetUser } from "#shared/views/securenet.ts";

const body = z.strictObject({ username: loginName, password });

export const handler = endpoint("POST /api/auth/login", { body }, async (req) => {
  const { user, token } = await withAuthEvents(req.audit, () => login(req.body.username, req.body.password));
  return { token: token.token, user: securenetUser(user) };
});
