import { signUpBody } from "#shared/identity/schemas.ts";
import { signUp } from "#shared/identity/sign-up.ts";
import { securenetUser } from "#shared/identity/views.ts";
import { withAuthEvents } from "#shared/kit/auth-events.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint("POST /api/auth/signup", { body: signUpBody }, async (req) => {
  const { user, token } = await withAuthEvents(req.audit, () => signUp(req.body));
  req.status(201);
  return { token: token.token, user: securenetUser(user), organization: { id: user.tenantId, plan: "free" } };
});
