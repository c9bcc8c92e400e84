import { enrollTwoFactorBody } from "#shared/identity/schemas.ts";
import { startEnrollment } from "#shared/identity/two-factor.ts";
import { TwoFactorEnrollResponse, twoFactorEnrollView } from "#shared/identity/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "POST /cloud-integration/security/users/2fa/enroll",
  { body: enrollTwoFactorBody, response: TwoFactorEnrollResponse },
  async (req) => {
    const result = await startEnrollment(req.principal, req.body ?? {});
    req.audit({ details: { method: result.method } });
    return twoFactorEnrollView(result);
  },
);
