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

export function effectiveTtl(settings: TokenSettings): number {
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

/** What the platform actually issues for a tenant: ES256 tokens, its issuer and audience, the effective lifetime. */
export interface EffectiveTokenSettings {
  accessTokenTtlSeconds: number;
  issuer: string;
  audience: string;
  algorithm: "ES256";
}

export function effectiveTokenSettings(settings: TokenSettings): EffectiveTokenSettings {
  return {
    accessTokenTtlSeconds: effectiveTtl(settings),
    issuer: config.WARDEN_ISSUER,
    audience: config.WARDEN_AUDIENCE,
    algorithm: "ES256",
  };
}

/** The rate-limit policy of user tokens (the general class, per tenant) and of API keys (their own limit). */
export const TOKEN_RATE_LIMIT = { requestsPerMinute: RATE_CLASSES.general, windowSeconds: 60 } as const;

/** Role → permissions: the built-in roles, then the tenant's custom roles. */
export async function permissionMapping(tenantId: string): Promise<Record<string, string[]>> {
  const mapping: Record<string, string[]> = {};
  for (const [id, role] of Object.entries(BUILT_IN_ROLES)) mapping[id] = [...role.permissions];
  for (const role of await listCustomRoles(tenantId)) mapping[role.name] = [...role.permissions];
  return mapping;
}

export async function updateTokenSettings(
  tenantId: string,
  input: { accessTokenTtlSeconds: number | null },
): Promise<{ settings: EffectiveTokenSettings; changes: Record<string, { old: number; new: number }> }> {
  const current = await tokenSettings.get(tenantId, true);
  const before = effectiveTtl(current);
  await tokenSettings.save(tenantId, current, { accessTokenTtlSeconds: input.accessTokenTtlSeconds });
  const after = effectiveTtl({ ...current, accessTokenTtlSeconds: input.accessTokenTtlSeconds });
  return {
    settings: effectiveTokenSettings({ ...current, accessTokenTtlSeconds: input.accessTokenTtlSeconds }),
    changes: before === after ? {} : { access_token_ttl_seconds: { old: before, new: after } },
  };
}

/** The lifetime the tenant chose (null: the platform's), as a backup keeps it. */
export async function chosenTokenTtl(tenantId: string): Promise<number | null> {
  return (await tokenSettings.get(tenantId)).accessTokenTtlSeconds;
}
