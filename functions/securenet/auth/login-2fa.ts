import * as z from "zod/mini";
import { completeTwoFactorSignIn } from "#shared/identity/sign-in.ts";
import { securenetUser } from "#shared/identity/views.ts";
import { withAuthEvents } from "#shared/kit/auth-events.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

const body = z.strictObject({
  challenge_token: z.string().check(z.minLength(1), z.maxLength(200)),
  /** A 6-digit code (app, email, SMS) or a backup code (XXXXX-XXXXX). */
  code: z.string().check(z.trim(), z.minLength(6), z.maxLength(20)),
});

export const endpoint = defineEndpoint("POST /api/auth/login/2fa", { body }, async (req) => {
  const result = await withAuthEvents(req.audit, () =>
    completeTwoFactorSignIn(req.body.challenge_token, req.body.code, { ip: req.ip, userAgent: req.userAgent }),
  );
  return {
    token: result.token.token,
    user: securenetUser(result.user),
    ...(result.restriction ? { restricted_to: result.restriction } : {}),
  };
});
