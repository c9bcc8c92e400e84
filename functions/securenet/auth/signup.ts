import * as z from "zod/mini";
import { signup } from "#shared/domain/identity.ts";
import { withAuthEvents } from "#shared/http/auth-events.ts";
import { endpoint } from "#shared/http/endpoint.ts";
import { email, password, username } from "#shared/http/schemas.ts";
import { securenetUser } from "#shared/views/securenet.ts";

const body = z.strictObject({
  organization: z.string().check(z.trim(), z.minLength(2), z.maxLength(100)),
  username,
  email,
  password,
});

export const handler = endpoint("POST /api/auth/signup", { body }, async (req) => {
  const { user, token } = await withAuthEvents(req.audit, () => signup(req.body));
  req.status(201);
  return { token: token.token, user: securenetUser(user), organization: { id: user.tenantId, plan: "free" } };
});
