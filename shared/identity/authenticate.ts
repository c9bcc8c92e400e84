/**
 * Resolves the caller from the request headers: a Bearer JWT, or an API key (`X-API-Key` or
 * `Authorization: Bearer sk_…`). For a token, one BatchGetItem loads the user, the token's
 * revocation marker and the tenant, so revocation, account lock and system lock are enforced on
 * the very next request without extra round trips — and, when the kit asks, the tenant's rate
 * window, so the rate count that follows authentication is one call.
 */

import { type TokenRestriction, verifyAccessToken } from "#shared/auth/tokens.ts";
import { loginSessionKeys } from "#shared/identity/db/login-sessions.ts";
import { getUserWith } from "#shared/identity/db/users.ts";
import { Forbidden, SystemLocked, Unauthorized } from "#shared/kit/errors.ts";
import type { RateProbe } from "#shared/tenancy/rate-limit.ts";
import { parseTenant, type Tenant, tenantKey } from "#shared/tenancy/tenants.ts";
import { isLocked } from "./account-status.ts";
import { resolveApiKey } from "./api-key-auth.ts";
import type { Principal } from "./principal.ts";

/** Kept for shared/reports/security-status.ts, which imports it from here. */

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

/** True when the tenant's emergency lock is active for the given component ("users", "api", "ssh"). */
export function systemLockApplies(tenant: Tenant | undefined, component: string, now = Date.now()): boolean {
  const lock = tenant?.lock;
  return !!lock && new Date(lock.until).getTime() > now && lock.components.includes(component);
}

/** What a restricted token is told on a route that does not accept its restriction (see RouteDef.allowRestrictedTokens). */
const RESTRICTION_MESSAGES: Record<TokenRestriction, string> = {
  password_change: "password change required",
  two_factor_enrollment: "two-factor enrollment required",
};

export async function authenticate(
  creds: Credentials,
  /** From the route's row: whether it stays open during a system lock, and to which restricted tokens. */
  meta: {
    ip: string;
    allowDuringSystemLock: boolean;
    allowApiKeysDuringSystemLock?: boolean;
    allowRestrictedTokens?: readonly TokenRestriction[];
    /**
     * The rate window the request of a signed-in user of `tenantId` will count in, read with the
     * token's items (one BatchGetItem) so the count after authentication costs one call
     * (shared/tenancy/rate-limit.ts `rateProbe`); only what it tells the limiter, never the answer here.
     */
    rateProbe?: (tenantId: string) => RateProbe | undefined;
    /**
     * Told the tenant of a token whose signature verified, before its items are read: the kit
     * starts obtaining the tenant's credentials meanwhile (never used unless authentication passes).
     */
    verifiedTenant?: (tenantId: string) => void;
  },
): Promise<Principal> {
  if (creds.apiKey) {
    const principal = await resolveApiKey(creds.apiKey, meta);
    if (!meta.allowApiKeysDuringSystemLock && systemLockApplies(principal.tenant, "api")) throw new SystemLocked();
    return principal;
  }
  if (!creds.bearer) throw new Unauthorized("Not authenticated: send Authorization: Bearer <token> or X-API-Key");
  const claims = await verifyAccessToken(creds.bearer);
  const userId = Number(claims.sub);
  if (!Number.isInteger(userId)) throw new Unauthorized("Could not validate credentials");
  meta.verifiedTenant?.(claims.tid);
  const probe = meta.rateProbe?.(claims.tid);
  const { user, extra } = await getUserWith(claims.tid, userId, [
    loginSessionKeys.revokedToken(claims.tid, claims.jti),
    tenantKey(claims.tid),
    ...(probe ? [probe.key] : []),
  ]);
  const [revoked, tenantItem, window] = extra;
  probe?.seen(window);
  if (!user || revoked) throw new Unauthorized("Token has been revoked");
  if (claims.iat < user.tokensValidAfter) throw new Unauthorized("Token has been revoked");
  if (user.status === "inactive" || isLocked(user)) throw new Unauthorized("Account is locked or inactive");
  const tenant = parseTenant(tenantItem);
  if (!meta.allowDuringSystemLock && systemLockApplies(tenant, "users")) throw new SystemLocked();
  if (claims.rst && !meta.allowRestrictedTokens?.includes(claims.rst)) {
    throw new Forbidden(RESTRICTION_MESSAGES[claims.rst]);
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
