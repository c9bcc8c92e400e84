import { createDefaultEnterprise } from "#shared/compliance/enterprises.ts";
import { signUpBody } from "#shared/identity/schemas.ts";
import { signUp } from "#shared/identity/sign-up.ts";
import { SecurenetSignUpResponse, securenetSignUp } from "#shared/identity/views.ts";
import { withAuthEvents } from "#shared/kit/auth-events.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";
import { log } from "#shared/kit/log.ts";

export const endpoint = defineEndpoint(
  "POST /api/auth/signup",
  { body: signUpBody, response: SecurenetSignUpResponse },
  async (req) => {
    const signedUp = await withAuthEvents(req.audit, () => signUp(req.body));
    // The GRC surface's first enterprise, named after the organisation. The sign-up stands if this
    // fails: GRC reads answer the default enterprise anyway and the first GRC write persists it.
    await createDefaultEnterprise(signedUp.user.tenantId, req.body.organization.trim()).catch((error) =>
      log.error("default enterprise not created at sign-up", { tenantId: signedUp.user.tenantId, error }),
    );
    req.status(201);
    return securenetSignUp(signedUp);
  },
);
