/** POST /lock/pin (beyond spec) — sets the admin PIN that unlocks an emergency lock. */
import * as z from "zod/mini";
import { defineEndpoint } from "#shared/kit/endpoint.ts";
import { PIN_PATTERN, setLockPin } from "#shared/tenancy/system-lock.ts";

const lockPin = z.string().check(z.regex(PIN_PATTERN, "must be 4 to 12 digits"));

const body = z.strictObject({ pin: lockPin, current_pin: z.optional(lockPin) });

export const endpoint = defineEndpoint("POST /cloud-integration/security/lock/pin", { body }, async (req) => {
  const out = await setLockPin(
    { tenantId: req.principal.tenantId, username: req.principal.username },
    { pin: req.body.pin, currentPin: req.body.current_pin },
  );
  req.audit({ severity: "high", resource: "system/lock/pin", details: { replaced: out.replaced } });
  return {
    status: "set",
    message: out.replaced ? "Emergency PIN changed" : "Emergency PIN set",
    updated_at: out.updatedAt,
  };
});
