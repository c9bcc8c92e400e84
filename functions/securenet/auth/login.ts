import * as z from "zod/mini";
import { login } from "#shared/domain/identity.ts";
import { withAuthEvents } from "#shared/http/auth-events.ts";
import { endpoint } from "#shared/http/endpoint.ts";
import { loginName, password } from "#shared/http/schemas.ts";
import { twoFactorChallenge } from "#shared/views/login.ts";
import { securenetUser } from "#shared/views/securenet.ts";

const body = z.strictObject({ username: loginName, password });

export const handler = endpoint("POST /api/auth/login", { body }, async (req) => {
  const result = await withAuthEvents(req.audit, () =>
    login(req.body.username, req.body.password, { ip: req.ip, userAgent: req.userAgent }),
  );
  // With a second factor, no token yet: the code goes to POST /api/auth/login/2fa with the challenge.
  if (result.kind === "challenge") return twoFactorChallenge(result);
  return {
    token: result.token.token,
    user: securenetUser(result.user),
    ...(result.restriction ? { restricted_to: result.restriction } : {}),
  };
});
