/**
 * Resolves the caller from the request headers: a Bearer JWT, or an API key (`X-API-Key` or
 * `Authorization: Bearer sk_…`). For a token, one BatchGetItem loads the user, the token's
 * revocation marker and the tenant, so revocation, account lock and system lock are enforced on
 * the very next request without extra round trips.
 */

import { type TokenRestriction, verifyAccessToken } from "#shared/auth/tokens.ts";
import { getUserWith, type User } from "#shared/identity/db/users.ts";
import { Forbidden, SystemLocked, Unauthorized } from "#shared/kit/errors.ts";
import { keys } from "#shared/table/keys.ts";
import { parseTenant, type Tenant } from "#shared/tenancy/db/tenants.ts";
import { resolveApiKey } from "./api-key-auth.ts";
import type { Principal } from "./principal.ts";

export interface Credentials {
  bearer?: string;
  apiKey?: string;
}

export function readCredentials(headers: Record<string, string | undefined>): Credentials {
  const auth = headers.authorization;
  const bearer = auth?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
  const apiKey = headers["x-api-key"] ?? (bearer?.startsWith("sk_") ? bearer : undefined);
  return { bearer: bearer?.startsWith("sk_") ? undefined : bearer, apiKey };
}

/** A locked account stays locked until `lockedUntil` passes; a lock without an end lasts until unlocked. */
export function isLocked(user: Pick<User, "status" | "lockedUntil">, now = Date.now()): boolean {
  if (user.status !== "locked") return false;
  return user.lockedUntil === null || new Date(user.lockedUntil).getTime() > now;
}

/** True when the tenant's emergency lock is active for the given component ("users", "api", "ssh"). */
export function systemLockApplies(tenant: Tenant | undefined, component: string, now = Date.now()): boolean {
  const lock = tenant?.lock;
  return !!lock && new Date(lock.until).getTime() > now && lock.components.includes(component);
}

/**
 * The one place a restricted token's limits live: the routes it may call (the way out of the
 * restriction, and signing out) and the answer everywhere else.
 */
const SIGN_OUT = "POST /api/auth/logout";
/** Reading one's own identity helps a client discover why it is restricted; it changes nothing. */
const WHO_AM_I = ["GET /api/auth/me", "GET /api/v1/auth/me", "GET /api/v1/auth/validate"];
export const RESTRICTED_ROUTES: Record<TokenRestriction, { routes: ReadonlySet<string>; message: string }> = {
  password_change: {
    routes: new Set(["POST /cloud-integration/security/users/change-password", SIGN_OUT, ...WHO_AM_I]),
    message: "password change required",
  },
  two_factor_enrollment: {
    routes: new Set([
      "POST /cloud-integration/security/users/2fa/enroll",
      "POST /cloud-integration/security/users/2fa/verify",
      SIGN_OUT,
      ...WHO_AM_I,
    ]),
    message: "two-factor enrollment required",
  },
};

export async function authenticate(
  creds: Credentials,
  /** `route` is the route key ("POST /path") the caller is calling; restricted tokens need it. */
  meta: { ip: string; allowDuringSystemLock: boolean; route?: string },
): Promise<Principal> {
  if (creds.apiKey) {
    const principal = await resolveApiKey(creds.apiKey, meta);
    if (!meta.allowDuringSystemLock && systemLockApplies(principal.tenant, "api")) throw new SystemLocked();
    return principal;
  }
  if (!creds.bearer) throw new Unauthorized("Not authenticated: send Authorization: Bearer <token> or X-API-Key");
  const claims = await verifyAccessToken(creds.bearer);
  const userId = Number(claims.sub);
  if (!Number.isInteger(userId)) throw new Unauthorized("Could not validate credentials");
  const { user, extra } = await getUserWith(claims.tid, userId, [
    keys.revokedToken(claims.tid, claims.jti),
    keys.tenant(claims.tid),
  ]);
  const [revoked, tenantItem] = extra;
  if (!user || revoked) throw new Unauthorized("Token has been revoked");
  if (claims.iat < user.tokensValidAfter) throw new Unauthorized("Token has been revoked");
  if (user.status === "inactive" || isLocked(user)) throw new Unauthorized("Account is locked or inactive");
  const tenant = parseTenant(tenantItem);
  if (!meta.allowDuringSystemLock && systemLockApplies(tenant, "users")) throw new SystemLocked();
  if (claims.rst) {
    const limits = RESTRICTED_ROUTES[claims.rst];
    if (!meta.route || !limits.routes.has(meta.route)) throw new Forbidden(limits.message);
  }
  return {
    kind: "user",
    tenantId: claims.tid,
    userId,
    username: user.username,
    role: user.role,
    permissions: user.permissions,
    user,
    tenant,
    token: { jti: claims.jti, exp: claims.exp, iat: claims.iat },
  };
}
