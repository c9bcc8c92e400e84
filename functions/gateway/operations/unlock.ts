/**
 * POST /unlock — ends the emergency lock with the admin PIN, or the lock's emergency code
 * (break-glass), then starts a full security scan so the admin sees what the incident may have
 * changed (`post_unlock_scan_scheduled`: true when one runs; a failed start never fails the unlock).
 */
import { defineEndpoint } from "#shared/kit/endpoint.ts";
import { startPostUnlockScan } from "#shared/scans/scans.ts";
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
    const unlocked = await unlockSystem(
      { tenantId: req.principal.tenantId, username: req.principal.username },
      { adminPin: req.body.admin_pin, emergencyCode: req.body.emergency_code },
      details,
    );
    const scanning = await startPostUnlockScan(req.principal.tenantId, req.principal.username);
    details.post_unlock_scan_scheduled = scanning;
    return unlockView({ ...unlocked, postUnlockScanScheduled: scanning });
  },
);
