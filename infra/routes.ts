/**
 * The route table: the single source of truth for every endpoint. The CDK app builds one Lambda
 * per row and local mode serves the same rows; `npm run -s routes` prints it.
 * Keep this file free of CDK imports: Lambda bundles import it to find their own row.
 */
import type { RouteDef } from "./route-types.ts";

const RW = { table: "RW" } as const;
const RO = { table: "RO" } as const;

export const routes: RouteDef[] = [
  // ── Identity: one user store behind every login route ────────────────────────────────────
  {
    method: "POST",
    path: "/api/v1/auth/token",
    handler: "functions/cloudsentinel/auth/token.ts",
    permission: null,
    surface: "cloudsentinel",
    rateClass: "auth-strict",
    access: { ...RW, jwtSign: true },
    audit: { event: "Login", eventType: "login" },
  },
  {
    method: "POST",
    path: "/api/v1/auth/register",
    handler: "functions/cloudsentinel/auth/register.ts",
    permission: "users:write",
    surface: "cloudsentinel",
    rateClass: "auth-strict",
    access: RW,
    audit: { event: "User Created", eventType: "user_created" },
  },
  {
    method: "GET",
    path: "/api/v1/auth/me",
    handler: "functions/cloudsentinel/auth/me.ts",
    permission: "authenticated",
    surface: "cloudsentinel",
    rateClass: "general",
    access: RO,
  },
  {
    method: "GET",
    path: "/api/v1/auth/validate",
    handler: "functions/cloudsentinel/auth/validate.ts",
    permission: "authenticated",
    surface: "cloudsentinel",
    rateClass: "general",
    access: RO,
  },
  {
    method: "POST",
    path: "/api/auth/login",
    handler: "functions/securenet/auth/login.ts",
    permission: null,
    surface: "securenet",
    rateClass: "auth",
    access: { ...RW, jwtSign: true },
    audit: { event: "Login", eventType: "login" },
  },
  {
    method: "GET",
    path: "/api/auth/me",
    handler: "functions/securenet/auth/me.ts",
    permission: "authenticated",
    surface: "securenet",
    rateClass: "auth",
    access: RO,
  },
  {
    method: "POST",
    path: "/api/auth/logout",
    handler: "functions/securenet/auth/logout.ts",
    permission: "authenticated",
    surface: "securenet",
    rateClass: "auth",
    access: RW,
    audit: { event: "Logout", eventType: "logout" },
    allowDuringSystemLock: true,
  },
  {
    method: "POST",
    path: "/api/auth/signup",
    handler: "functions/securenet/auth/signup.ts",
    permission: null,
    surface: "securenet",
    rateClass: "auth-strict",
    access: { ...RW, jwtSign: true },
    audit: { event: "Organization Created", eventType: "tenant_created" },
  },
  {
    method: "GET",
    path: "/.well-known/jwks.json",
    handler: "functions/platform/jwks/get.ts",
    permission: null,
    surface: "platform",
    rateClass: "general",
    access: { ...RO, jwtPublicKey: true },
    allowDuringSystemLock: true,
  },
];
