import { enrollTwoFactorBody } from "#shared/identity/schemas.ts";
import { startEnrollment } from "#shared/identity/two-factor.ts";
import { enrollmentView } from "#shared/identity/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "POST /cloud-integration/security/users/2fa/enroll",
  { body: enrollTwoFactorBody },
  async (req) => {
    const result = await startEnrollment(req.principal, req.body ?? {});
    req.audit({ details: { method: result.method } });
    return { status: "pending_verification", ...enrollmentView(result) };
  },
);
