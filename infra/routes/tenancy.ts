/**
 * Gateway surface, tenancy area: the emergency system lock (gateway spec "Lock System", "Unlock
 * System") with, beyond the spec, the admin PIN that unlocks it; and Save All Security Settings,
 * which saves sections of the authentication, firewall, SSH and audit settings through their own
 * areas. Stack `Routes-tenancy`.
 *
 * Access: the lock ends sessions and writes the tenant item (table RW), switches SSH off on every
 * gateway's ssh shadow (iotShadows) and e-mails users and the emergency contact (notify); unlock
 * restores SSH (iotShadows). Unlock must work while the tenant is locked; it is rate-limited like
 * signup (auth-strict, 5 a minute per tenant: guessing a 4-digit PIN takes longer than the longest
 * lock) and the PIN route like sign-in (auth, a separate counter so setting a PIN never uses up
 * the unlock attempts).
 */
import { type RouteDef, rows } from "#shared/kit/route.ts";

const row = rows({ surface: "gateway", base: "/cloud-integration/security" });

export const tenancyRoutes: RouteDef[] = [
  row({
    method: "POST",
    path: "/lock",
    handler: "functions/gateway/operations/lock.ts",
    permission: "security:admin",
    access: { table: "RW", iotShadows: true, notify: true, workflows: "start" },
    audit: { event: "System Locked", eventType: "system_locked" },
  }),
  row({
    method: "POST",
    path: "/unlock",
    handler: "functions/gateway/operations/unlock.ts",
    permission: "security:admin",
    rateClass: "auth-strict",
    // workflows: start — the post-unlock security scan.
    access: { table: "RW", iotShadows: true, workflows: "start" },
    audit: { event: "System Unlocked", eventType: "system_unlocked" },
    allowDuringSystemLock: true,
    allowApiKeysDuringSystemLock: true,
  }),
  row({
    method: "POST",
    path: "/lock/pin",
    handler: "functions/gateway/operations/pin.ts",
    permission: "security:admin",
    rateClass: "auth",
    access: { table: "RW" },
    audit: { event: "Emergency PIN Set", eventType: "emergency_pin_set" },
  }),
  row({
    method: "POST",
    path: "/settings/save-all",
    handler: "functions/gateway/settings/save-all.ts",
    permission: "security:admin",
    access: { table: "RW", iotShadows: true, notify: true, workflows: "start" },
    audit: { event: "Security Settings Saved", eventType: "settings_saved" },
  }),
];
