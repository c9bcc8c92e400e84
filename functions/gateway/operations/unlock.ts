/** POST /unlock — ends the emergency lock with the admin PIN, or the lock's emergency code (break-glass). */
import * as z from "zod/mini";
import { defineEndpoint } from "#shared/kit/endpoint.ts";
import { PIN_PATTERN, type UnlockReport, unlockSystem } from "#shared/tenancy/system-lock.ts";

const body = z.strictObject({
  admin_pin: z.string().check(z.regex(PIN_PATTERN, "must be 4 to 12 digits")),
  emergency_code: z.optional(z.string().check(z.regex(/^EMG-\d{6,12}$/, "must look like EMG-123456"))),
});

export const endpoint = defineEndpoint("POST /cloud-integration/security/unlock", { body }, async (req) => {
  // Filled in by the domain as it decides, so a refused attempt is audited with what failed.
  const details: UnlockReport = {};
  req.audit({ severity: "critical", resource: "system/lock", details });
  return unlockSystem(
    { tenantId: req.principal.tenantId, username: req.principal.username },
    { adminPin: req.body.admin_pin, emergencyCode: req.body.emergency_code },
    details,
  );
});
