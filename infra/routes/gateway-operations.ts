/**
 * Gateway surface, operations area: the emergency system lock (gateway spec "Lock System",
 * "Unlock System") and, beyond the spec, the admin PIN that unlocks it.
 *
 * Access: the lock ends sessions and writes the tenant item (table RW), switches SSH off on every
 * gateway's ssh shadow (iotShadows) and e-mails users and the emergency contact (notify); unlock
 * restores SSH (iotShadows). Unlock must work while the tenant is locked; it is rate-limited like
 * signup (auth-strict, 5 a minute per tenant: guessing a 4-digit PIN takes longer than the longest
 * lock) and the PIN route like sign-in (auth, a separate counter so setting a PIN never uses up
 * the unlock attempts).
 */
import type { RouteDef } from "#shared/kit/route.ts";

const BASE = "/cloud-integration/security";

export const gatewayOperationsRoutes: RouteDef[] = [
  {
    method: "POST",
    path: `${BASE}/lock`,
    handler: "functions/gateway/operations/lock.ts",
    permission: "security:admin",
    surface: "gateway",
    rateClass: "general",
    access: { table: "RW", iotShadows: true, notify: true },
    audit: { event: "System Locked", eventType: "system_locked" },
  },
  {
    method: "POST",
    path: `${BASE}/unlock`,
    handler: "functions/gateway/operations/unlock.ts",
    permission: "security:admin",
    surface: "gateway",
    rateClass: "auth-strict",
    access: { table: "RW", iotShadows: true },
    audit: { event: "System Unlocked", eventType: "system_unlocked" },
    allowDuringSystemLock: true,
  },
  {
    method: "POST",
    path: `${BASE}/lock/pin`,
    handler: "functions/gateway/operations/pin.ts",
    permission: "security:admin",
    surface: "gateway",
    rateClass: "auth",
    access: { table: "RW" },
    audit: { event: "Emergency PIN Set", eventType: "emergency_pin_set" },
  },
];
