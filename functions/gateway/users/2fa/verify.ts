import { verifyTwoFactorBody } from "#shared/identity/schemas.ts";
import { confirmEnrollment } from "#shared/identity/two-factor.ts";
import { TwoFactorEnabledResponse, twoFactorEnabledView } from "#shared/identity/views.ts";
import { withAuthEvents } from "#shared/kit/auth-events.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "POST /cloud-integration/security/users/2fa/verify",
  { body: verifyTwoFactorBody, response: TwoFactorEnabledResponse },
  async (req) => {
    const result = await withAuthEvents(req.audit, async () => ({
      ...(await confirmEnrollment(req.principal, req.body.code)),
      events: [],
    }));
    req.audit({ details: { method: result.method, backup_codes_issued: result.backupCodes.length } });
    return twoFactorEnabledView(result, req.principal.token !== undefined);
  },
);
