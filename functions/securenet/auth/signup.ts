import * as z from "zod/mini";
import { email, password, username } from "#shared/identity/schemas.ts";
import { signup } from "#shared/identity/sign-up.ts";
import { securenetUser } from "#shared/identity/views.ts";
import { withAuthEvents } from "#shared/kit/auth-events.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

const body = z.strictObject({
  organization: z.string().check(z.trim(), z.minLength(2), z.maxLength(100)),
  username,
  email,
  password,
});

export const endpoint = defineEndpoint("POST /api/auth/signup", { body }, async (req) => {
  const { user, token } = await withAuthEvents(req.audit, () => signup(req.body));
  req.status(201);
  return { token: token.token, user: securenetUser(user), organization: { id: user.tenantId, plan: "free" } };
});
