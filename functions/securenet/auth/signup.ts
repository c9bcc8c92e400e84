import { signUpBody } from "#shared/identity/schemas.ts";
import { signUp } from "#shared/identity/sign-up.ts";
import { SecurenetSignUpResponse, securenetSignUp } from "#shared/identity/views.ts";
import { withAuthEvents } from "#shared/kit/auth-events.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "POST /api/auth/signup",
  { body: signUpBody, response: SecurenetSignUpResponse },
  async (req) => {
    const signedUp = await withAuthEvents(req.audit, () => signUp(req.body));
    req.status(201);
    return securenetSignUp(signedUp);
  },
);
