/**
 * Gateway surface, identity area: users, 2FA enrolment, roles, the authentication policy (gateway
 * spec "Identity & Access Management", "Authentication Policies"), API keys and token settings
 * ("API Keys & Tokens"). Rows marked "beyond spec" extend the spec where the product needs it.
 * Stack `Routes-identity`.
 */
import { type RouteDef, rows } from "#shared/kit/route.ts";

const row = rows({ surface: "gateway", base: "/cloud-integration/security" });
const RO = { table: "RO" } as const;
const RW = { table: "RW" } as const;

export const identityRoutes: RouteDef[] = [
  row({
    method: "GET",
    path: "/api-keys",
    handler: "functions/gateway/api-keys/list.ts",
    permission: "security:read",
    access: RO,
    // Finding and revoking an attacker's key must work while everything else is locked.
    allowDuringSystemLock: true,
  }),
  row({
    method: "POST",
    path: "/api-keys/generate",
    handler: "functions/gateway/api-keys/generate.ts",
    permission: "security:admin",
    access: { ...RW, notify: true },
    audit: { event: "API Key Generated", eventType: "api_key_generated" },
  }),
  row({
    method: "POST",
    path: "/api-keys/revoke",
    handler: "functions/gateway/api-keys/revoke.ts",
    permission: "security:admin",
    access: { ...RW, notify: true },
    audit: { event: "API Key Revoked", eventType: "api_key_revoked" },
    allowDuringSystemLock: true,
  }),
  row({
    method: "POST",
    path: "/api-keys/update",
    handler: "functions/gateway/api-keys/update.ts",
    permission: "security:admin",
    access: RW,
    audit: { event: "API Key Updated", eventType: "api_key_updated" },
  }),
  row({
    method: "GET",
    path: "/tokens/settings",
    handler: "functions/gateway/tokens/settings.ts",
    permission: "security:read",
    access: RO,
  }),
  // Beyond the spec: the only way to set a tenant's access-token lifetime that "Get Token Settings" reports.
  row({
    method: "POST",
    path: "/tokens/settings",
    handler: "functions/gateway/tokens/update-settings.ts",
    permission: "security:admin",
    access: RW,
    audit: { event: "Token Settings Updated", eventType: "token_settings_updated" },
  }),
  row({
    method: "GET",
    path: "/users",
    handler: "functions/gateway/users/list.ts",
    permission: "users:read",
    access: RO,
  }),
  row({
    method: "POST",
    path: "/users/create",
    handler: "functions/gateway/users/create.ts",
    permission: "users:write",
    access: { ...RW, notify: true },
    audit: { event: "User Created", eventType: "user_created" },
  }),
  row({
    method: "POST",
    path: "/users/update",
    handler: "functions/gateway/users/update.ts",
    permission: "users:write",
    access: { ...RW, notify: true },
    audit: { event: "User Modified", eventType: "user_modified" },
  }),
  row({
    method: "POST",
    path: "/users/delete",
    handler: "functions/gateway/users/delete.ts",
    permission: "users:admin",
    access: RW,
    audit: { event: "User Deleted", eventType: "user_deleted" },
  }),
  row({
    method: "GET",
    path: "/users/{user_id}",
    handler: "functions/gateway/users/get.ts",
    permission: "users:read",
    access: RO,
  }),
  row({
    method: "POST",
    path: "/users/reset-password",
    handler: "functions/gateway/users/reset-password.ts",
    permission: "users:write",
    access: { ...RW, notify: true },
    audit: { event: "Password Reset", eventType: "password_reset" },
  }),
  row({
    method: "POST",
    path: "/users/lock",
    handler: "functions/gateway/users/lock.ts",
    permission: "users:write",
    access: { ...RW, notify: true },
    audit: { event: "User Locked", eventType: "user_locked" },
  }),
  // Beyond spec: the signed-in user's own password change (the way out of a forced change).
  row({
    method: "POST",
    path: "/users/change-password",
    handler: "functions/gateway/users/change-password.ts",
    permission: "authenticated",
    access: RW,
    audit: { event: "Password Changed", eventType: "password_changed" },
    allowRestrictedTokens: ["password_change"],
  }),
  // Beyond spec: second-factor enrolment of the signed-in user.
  row({
    method: "POST",
    path: "/users/2fa/enroll",
    handler: "functions/gateway/users/2fa/enroll.ts",
    permission: "authenticated",
    access: { ...RW, dataKey: "encrypt", notify: true },
    audit: { event: "2FA Enrollment Started", eventType: "two_factor_enrollment_started" },
    // Enrolling a second factor only adds one: it stays open during an emergency lock, so an admin
    // whose tenant enforces 2FA can still reach a full session and unlock.
    allowDuringSystemLock: true,
    allowRestrictedTokens: ["two_factor_enrollment"],
  }),
  row({
    method: "POST",
    path: "/users/2fa/verify",
    handler: "functions/gateway/users/2fa/verify.ts",
    permission: "authenticated",
    access: { ...RW, dataKey: "decrypt" },
    audit: { event: "2FA Enabled", eventType: "two_factor_enabled" },
    // Enrolling a second factor only adds one: it stays open during an emergency lock, so an admin
    // whose tenant enforces 2FA can still reach a full session and unlock.
    allowDuringSystemLock: true,
    allowRestrictedTokens: ["two_factor_enrollment"],
  }),
  row({
    method: "POST",
    path: "/users/2fa/disable",
    handler: "functions/gateway/users/2fa/disable.ts",
    permission: "authenticated",
    access: { ...RW, dataKey: "decrypt" },
    audit: { event: "2FA Disabled", eventType: "two_factor_disabled" },
  }),
  row({
    method: "GET",
    path: "/roles",
    handler: "functions/gateway/roles/list.ts",
    permission: "users:read",
    access: RO,
  }),
  // Beyond spec: a tenant's custom roles.
  row({
    method: "POST",
    path: "/roles",
    handler: "functions/gateway/roles/create.ts",
    permission: "users:admin",
    access: RW,
    audit: { event: "Role Created", eventType: "role_created" },
  }),
  row({
    method: "GET",
    path: "/authentication/settings",
    handler: "functions/gateway/authentication/settings.ts",
    permission: "security:read",
    access: RO,
  }),
  row({
    method: "POST",
    path: "/authentication/update",
    handler: "functions/gateway/authentication/update.ts",
    permission: "security:admin",
    access: { ...RW, notify: true },
    audit: { event: "Authentication Settings Updated", eventType: "auth_settings_updated" },
  }),
  // Beyond spec: password-policy presets (NIST SP 800-63B, CIS).
  row({
    method: "POST",
    path: "/authentication/profile",
    handler: "functions/gateway/authentication/profile.ts",
    permission: "security:admin",
    access: { ...RW, notify: true },
    audit: { event: "Authentication Settings Updated", eventType: "auth_settings_updated" },
  }),
  row({
    method: "POST",
    path: "/authentication/test-password",
    handler: "functions/gateway/authentication/test-password.ts",
    permission: "authenticated",
    rateClass: "auth",
    access: RO,
    // A computation over the request body: nothing is stored, so there is nothing to audit.
    changesNothing: true,
  }),
];
