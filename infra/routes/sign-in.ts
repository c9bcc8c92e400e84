/**
 * Sign-in routes of every surface (one user store behind all of them): token, login and its
 * second step, sign-up, register, who-am-I, validate, logout, and the token-signing key's JWKS.
 * Stack `Routes-sign-in`.
 */
import { type RouteDef, rows } from "#shared/kit/route.ts";

const cloudsentinel = rows({ surface: "cloudsentinel" });
const securenet = rows({ surface: "securenet" });
const platform = rows({ surface: "platform" });
const RO = { table: "RO" } as const;
/** Reading one's own identity and signing out stay open to a restricted token: they change nothing it should not. */
const ANY_RESTRICTION = ["password_change", "two_factor_enrollment"] as const;
const RW = { table: "RW" } as const;

export const signInRoutes: RouteDef[] = [
  // Beyond spec: the second step of a sign-in with 2FA, on the login surface.
  securenet({
    method: "POST",
    path: "/api/auth/login/2fa",
    handler: "functions/securenet/auth/login-2fa.ts",
    permission: null,
    rateClass: "auth",
    access: { ...RW, jwtSign: true, dataKey: "decrypt", notify: true },
    audit: { event: "Login", eventType: "login" },
  }),
  cloudsentinel({
    method: "POST",
    path: "/api/v1/auth/token",
    handler: "functions/cloudsentinel/auth/token.ts",
    permission: null,
    rateClass: "auth-strict",
    access: { ...RW, jwtSign: true, notify: true },
    audit: { event: "Login", eventType: "login" },
  }),
  cloudsentinel({
    method: "POST",
    path: "/api/v1/auth/register",
    handler: "functions/cloudsentinel/auth/register.ts",
    permission: "users:write",
    rateClass: "auth-strict",
    access: RW,
    audit: { event: "User Created", eventType: "user_created" },
  }),
  cloudsentinel({
    method: "GET",
    path: "/api/v1/auth/me",
    handler: "functions/cloudsentinel/auth/me.ts",
    permission: "authenticated",
    access: RO,
    allowRestrictedTokens: ANY_RESTRICTION,
  }),
  cloudsentinel({
    method: "GET",
    path: "/api/v1/auth/validate",
    handler: "functions/cloudsentinel/auth/validate.ts",
    permission: "authenticated",
    access: RO,
    allowRestrictedTokens: ANY_RESTRICTION,
  }),
  securenet({
    method: "POST",
    path: "/api/auth/login",
    handler: "functions/securenet/auth/login.ts",
    permission: null,
    rateClass: "auth",
    access: { ...RW, jwtSign: true, notify: true },
    audit: { event: "Login", eventType: "login" },
  }),
  securenet({
    method: "GET",
    path: "/api/auth/me",
    handler: "functions/securenet/auth/me.ts",
    permission: "authenticated",
    rateClass: "auth",
    access: RO,
    allowRestrictedTokens: ANY_RESTRICTION,
  }),
  securenet({
    method: "POST",
    path: "/api/auth/logout",
    handler: "functions/securenet/auth/logout.ts",
    permission: "authenticated",
    rateClass: "auth",
    access: RW,
    audit: { event: "Logout", eventType: "logout" },
    allowDuringSystemLock: true,
    allowRestrictedTokens: ANY_RESTRICTION,
  }),
  securenet({
    method: "POST",
    path: "/api/auth/signup",
    handler: "functions/securenet/auth/signup.ts",
    permission: null,
    rateClass: "auth-strict",
    // platformAccountScan "gate": sign-up learns the platform-scan tenants (-c platformScanTenants)
    // to refuse creating one of those ids (shared/identity/sign-up.ts).
    access: { ...RW, jwtSign: true, platformAccountScan: "gate" },
    audit: { event: "Organization Created", eventType: "tenant_created" },
  }),
  platform({
    method: "GET",
    path: "/.well-known/jwks.json",
    handler: "functions/platform/jwks/get.ts",
    permission: null,
    access: { ...RO, jwtPublicKey: true },
    allowDuringSystemLock: true,
  }),
];
