/**
 * Gateway surface, identity area: users, roles, authentication policy, 2FA (gateway spec
 * "Identity & Access Management" and "Authentication Policies"), plus the second sign-in step
 * on the securenet surface. Rows marked "beyond spec" extend the spec where the product needs it.
 */
import type { RouteDef } from "#shared/kit/route.ts";

const BASE = "/cloud-integration/security";
const RO = { table: "RO" } as const;
const RW = { table: "RW" } as const;

const row = (
  r: Omit<RouteDef, "surface" | "rateClass" | "path"> & { path: string; rateClass?: RouteDef["rateClass"] },
): RouteDef => ({
  surface: "gateway",
  rateClass: "general",
  ...r,
  path: `${BASE}${r.path}`,
});

export const gatewayIdentityRoutes: RouteDef[] = [
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
  // Beyond spec: the second step of a sign-in with 2FA, on the login surface.
  {
    method: "POST",
    path: "/api/auth/login/2fa",
    handler: "functions/securenet/auth/login-2fa.ts",
    permission: null,
    surface: "securenet",
    rateClass: "auth",
    access: { ...RW, jwtSign: true, dataKey: "decrypt", notify: true },
    audit: { event: "Login", eventType: "login" },
  },
];
