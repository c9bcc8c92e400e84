import { twoFactorSignInBody } from "#shared/identity/schemas.ts";
import { completeTwoFactorSignIn } from "#shared/identity/sign-in.ts";
import { SecurenetSignInResponse, securenetSignIn } from "#shared/identity/views.ts";
import { withAuthEvents } from "#shared/kit/auth-events.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "POST /api/auth/login/2fa",
  { body: twoFactorSignInBody, response: SecurenetSignInResponse },
  async (req) => {
    const result = await withAuthEvents(req.audit, () =>
      completeTwoFactorSignIn(req.body.challenge_token, req.body.code, { ip: req.ip, userAgent: req.userAgent }),
    );
    return securenetSignIn(result);
  },
);
