/**
 * Per-tenant settings documents owned by the access area: the outgoing webhook, token lifetimes
 * and audit retention. One item each under `T#<tenant>` / `SETTINGS#<name>`, versioned, holding
 * only what the tenant set; readers overlay the defaults, so a new field reaches old tenants.
 */
import * as z from "zod/mini";
import { keys } from "#shared/table/keys.ts";
import { batchGet, getItem, type Item, putNew, updateVersioned } from "#shared/table/repo.ts";

/** Webhook events the gateway spec lists; each maps to one audit event type of the same name. */
export const WEBHOOK_EVENTS = [
  "login",
  "logout",
  "user_created",
  "user_updated",
  "user_deleted",
  "api_key_generated",
  "api_key_revoked",
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export const WebhookSettings = z.object({
  url: z._default(z.nullable(z.string()), null),
  enabled: z._default(z.boolean(), false),
  events: z._default(z.array(z.string()), [...WEBHOOK_EVENTS]),
  retryCount: z._default(z.number(), 3),
  timeoutSeconds: z._default(z.number(), 10),
  /** Envelope-encrypted signing secret (shared/crypto/envelope.ts); never stored in plaintext. */
  secret: z._default(z.nullable(z.string()), null),
  /** Last four characters, so the secret can be shown masked without decrypting it. */
  secretHint: z._default(z.nullable(z.string()), null),
  secretCreatedAt: z._default(z.nullable(z.string()), null),
  /** The secret before the last rotation, still signing deliveries until `previousValidUntil`. */
  previousSecret: z._default(z.nullable(z.string()), null),
  previousSecretHint: z._default(z.nullable(z.string()), null),
  previousValidUntil: z._default(z.nullable(z.string()), null),
  updatedAt: z._default(z.nullable(z.string()), null),
  version: z._default(z.number(), 0),
});
export type WebhookSettings = z.infer<typeof WebhookSettings>;

export const TokenSettings = z.object({
  /** Access-token lifetime chosen by the tenant (never longer than the platform's). */
  accessTokenTtlSeconds: z._default(z.nullable(z.number()), null),
  updatedAt: z._default(z.nullable(z.string()), null),
  version: z._default(z.number(), 0),
});
export type TokenSettings = z.infer<typeof TokenSettings>;

export const DEFAULT_AUDIT_RETENTION_DAYS = 90;

export const AuditSettings = z.object({
  retentionDays: z._default(z.number(), DEFAULT_AUDIT_RETENTION_DAYS),
  updatedAt: z._default(z.nullable(z.string()), null),
  version: z._default(z.number(), 0),
});
export type AuditSettings = z.infer<typeof AuditSettings>;

const SCHEMAS = { webhook: WebhookSettings, tokens: TokenSettings, audit: AuditSettings } as const;
export type SettingsName = keyof typeof SCHEMAS;
type SettingsOf<N extends SettingsName> = z.infer<(typeof SCHEMAS)[N]>;

export const settingsKey = (tenantId: string, name: SettingsName) => keys.settings(tenantId, `access:${name}`);

export function parseSettings<N extends SettingsName>(name: N, item: Item | undefined): SettingsOf<N> {
  return SCHEMAS[name].parse(item ?? {}) as SettingsOf<N>;
}

export async function getSettings<N extends SettingsName>(
  tenantId: string,
  name: N,
  consistent = false,
): Promise<SettingsOf<N>> {
  return parseSettings(name, await getItem(settingsKey(tenantId, name), consistent));
}

/** Several settings documents of one tenant in one BatchGetItem. */
export async function getSettingsMany<const N extends SettingsName[]>(
  tenantId: string,
  names: N,
): Promise<{ [I in keyof N]: SettingsOf<N[I]> }> {
  const items = await batchGet(names.map((n) => settingsKey(tenantId, n)));
  return names.map((n, i) => parseSettings(n, items[i])) as { [I in keyof N]: SettingsOf<N[I]> };
}

/**
 * Writes a settings document read at `current.version` (0: not stored yet). A concurrent writer
 * makes this a 409, never a lost update.
 */
export async function saveSettings<N extends SettingsName>(
  tenantId: string,
  name: N,
  current: { version: number },
  changes: Partial<Omit<SettingsOf<N>, "version">>,
): Promise<void> {
  const updatedAt = new Date().toISOString();
  if (current.version === 0) {
    await putNew({ ...settingsKey(tenantId, name), type: "Settings", name, ...changes, updatedAt }, `${name} settings`);
    return;
  }
  await updateVersioned(settingsKey(tenantId, name), current.version, { ...changes, updatedAt }, `${name} settings`);
}
