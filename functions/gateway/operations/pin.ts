/** POST /lock/pin (beyond spec) — sets the admin PIN that unlocks an emergency lock. */
import { defineEndpoint } from "#shared/kit/endpoint.ts";
import { lockPinBody } from "#shared/tenancy/schemas.ts";
import { setLockPin } from "#shared/tenancy/system-lock.ts";
import { LockPinResponse, lockPinView } from "#shared/tenancy/views.ts";

export const endpoint = defineEndpoint(
  "POST /cloud-integration/security/lock/pin",
  { body: lockPinBody, response: LockPinResponse },
  async (req) => {
    const out = await setLockPin(
      { tenantId: req.principal.tenantId, username: req.principal.username },
      { pin: req.body.pin, currentPin: req.body.current_pin },
    );
    req.audit({ severity: "high", resource: "system/lock/pin", details: { replaced: out.replaced } });
    return lockPinView(out);
  },
);
