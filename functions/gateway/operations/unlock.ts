/** POST /unlock — ends the emergency lock with the admin PIN, or the lock's emergency code (break-glass). */
import { defineEndpoint } from "#shared/kit/endpoint.ts";
import { unlockBody } from "#shared/tenancy/schemas.ts";
import { type UnlockReport, unlockSystem } from "#shared/tenancy/system-lock.ts";
import { UnlockResponse, unlockView } from "#shared/tenancy/views.ts";

export const endpoint = defineEndpoint(
  "POST /cloud-integration/security/unlock",
  { body: unlockBody, response: UnlockResponse },
  async (req) => {
    // Filled in by the domain as it decides, so a refused attempt is audited with what failed.
    const details: UnlockReport = {};
    req.audit({ severity: "critical", resource: "system/lock", details });
    return unlockView(
      await unlockSystem(
        { tenantId: req.principal.tenantId, username: req.principal.username },
        { adminPin: req.body.admin_pin, emergencyCode: req.body.emergency_code },
        details,
      ),
    );
  },
);
