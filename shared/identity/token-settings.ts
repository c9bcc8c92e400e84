/**
 * Token settings as the gateway spec's "Get Token Settings" shows them, from what the platform
 * actually does: ES256 access tokens with the configured issuer and audience, a lifetime a tenant
 * may shorten (never lengthen), the role → permission mapping, and the rate-limit policy.
 */
import { BUILT_IN_ROLES } from "#shared/auth/permissions.ts";
import { config } from "#shared/kit/config.ts";
import { RATE_CLASSES } from "#shared/tenancy/rate-limit.ts";
import { listCustomRoles } from "./db/roles.ts";
import { type TokenSettings, tokenSettings } from "./db/token-settings.ts";

/** The shortest access-token lifetime a tenant may choose: shorter only multiplies sign-ins. */
export const MIN_TOKEN_TTL_SECONDS = 300;

function effectiveTtl(settings: TokenSettings): number {
  const chosen = settings.accessTokenTtlSeconds;
  return chosen === null ? config.WARDEN_TOKEN_TTL_SECONDS : Math.min(chosen, config.WARDEN_TOKEN_TTL_SECONDS);
}

/**
 * The access-token lifetime for a tenant's sign-ins, in seconds. Integration point for the
 * identity area: `issueAccessToken(subject, await tokenTtlSeconds(tenantId))`.
 */
export async function tokenTtlSeconds(tenantId: string): Promise<number> {
  return effectiveTtl(await tokenSettings.get(tenantId));
}

export function tokenSettingsView(settings: TokenSettings) {
  const ttl = effectiveTtl(settings);
  return {
    // The spec counts in days; the platform's lifetimes are far shorter, so this is a fraction.
    jwt_expiry_days: Number((ttl / 86_400).toFixed(6)),
    access_token_ttl_seconds: ttl,
    // No refresh tokens are issued (a client signs in again), so there is no lifetime to report.
    refresh_token_expiry_days: null,
    issuer: config.WARDEN_ISSUER,
    audience: [config.WARDEN_AUDIENCE],
    algorithm: "ES256",
  };
}

/** Role → permissions: the built-in roles, then the tenant's custom roles. */
export async function permissionMapping(tenantId: string): Promise<Record<string, string[]>> {
  const mapping: Record<string, string[]> = {};
  for (const [id, role] of Object.entries(BUILT_IN_ROLES)) mapping[id] = [...role.permissions];
  for (const role of await listCustomRoles(tenantId)) mapping[role.name] = [...role.permissions];
  return mapping;
}

export function rateLimitingView() {
  return {
    enabled: true,
    requests_per_minute: RATE_CLASSES.general,
    // A fixed one-minute window admits its whole quota at once: the burst is the quota.
    burst_size: RATE_CLASSES.general,
    window_seconds: 60,
    per: "tenant (user tokens) or API key (its own rate_limit)",
  };
}

export async function updateTokenSettings(
  tenantId: string,
  input: { accessTokenTtlSeconds: number | null },
): Promise<{ settings: TokenSettings; changes: Record<string, { old: number; new: number }> }> {
  const current = await tokenSettings.get(tenantId, true);
  const before = effectiveTtl(current);
  await tokenSettings.save(tenantId, current, { accessTokenTtlSeconds: input.accessTokenTtlSeconds });
  const after = effectiveTtl({ ...current, accessTokenTtlSeconds: input.accessTokenTtlSeconds });
  return {
    settings: { ...current, accessTokenTtlSeconds: input.accessTokenTtlSeconds },
    changes: before === after ? {} : { access_token_ttl_seconds: { old: before, new: after } },
  };
}
