import { signInBody } from "#shared/identity/schemas.ts";
import { signIn } from "#shared/identity/sign-in.ts";
import { SecurenetLoginResponse, securenetSignIn, twoFactorChallenge } from "#shared/identity/views.ts";
import { withAuthEvents } from "#shared/kit/auth-events.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "POST /api/auth/login",
  { body: signInBody, response: SecurenetLoginResponse },
  async (req) => {
    const result = await withAuthEvents(req.audit, () =>
      signIn(req.body.username, req.body.password, { ip: req.ip, userAgent: req.userAgent }),
    );
    // With a second factor, no token yet: the code goes to POST /api/auth/login/2fa with the challenge.
    if (result.kind === "challenge") return twoFactorChallenge(result);
    return securenetSignIn(result);
  },
);
