/**
 * The tenant's outgoing webhook: its configuration and its signing secret (envelope-encrypted,
 * shown once), rotation with a grace period.
 */
import { randomUUID } from "node:crypto";
import { decryptSecret, encryptSecret } from "#shared/crypto/envelope.ts";
import { Invalid } from "#shared/kit/errors.ts";
import { type WebhookSettings, webhookSettings } from "./db/webhook-settings.ts";
import { deliverWebhook } from "./delivery.ts";
import { assertWebhookUrl, type DestinationOptions } from "./destination-guard.ts";
import { maskSecret, newWebhookSecret, secretHint } from "./signing.ts";

/** How long the previous secret keeps signing after a rotation with `invalidate_old: false`. */
export const ROTATION_GRACE_MS = 24 * 3_600_000;

export async function getWebhook(tenantId: string): Promise<WebhookSettings> {
  return webhookSettings.get(tenantId);
}

export interface WebhookInput {
  url?: string;
  enabled?: boolean;
  events?: string[];
  retryCount?: number;
  timeoutSeconds?: number;
}

/**
 * Sets the webhook. The first configuration creates the signing secret and returns it (the only
 * time it is returned); later calls return `secret: null`.
 */
export async function configureWebhook(
  tenantId: string,
  input: WebhookInput,
  opts: DestinationOptions,
): Promise<{
  settings: WebhookSettings;
  secret: string | null;
  changes: Record<string, { old: unknown; new: unknown }>;
}> {
  const current = await webhookSettings.get(tenantId, true);
  if (input.url !== undefined) await assertWebhookUrl(input.url, opts);
  const next: Partial<WebhookSettings> = {};
  if (input.url !== undefined) next.url = input.url;
  if (input.enabled !== undefined) next.enabled = input.enabled;
  if (input.events !== undefined) next.events = [...new Set(input.events)];
  if (input.retryCount !== undefined) next.retryCount = input.retryCount;
  if (input.timeoutSeconds !== undefined) next.timeoutSeconds = input.timeoutSeconds;
  if ((next.enabled ?? current.enabled) && !(next.url ?? current.url)) {
    throw new Invalid("body.url: required to enable the webhook", [
      { loc: ["body", "url"], msg: "required to enable the webhook", type: "value_error.missing" },
    ]);
  }
  let secret: string | null = null;
  if (current.secret === null) {
    secret = newWebhookSecret();
    next.secret = await encryptSecret(tenantId, secret);
    next.secretHint = secretHint(secret);
    next.secretCreatedAt = new Date().toISOString();
  }
  const changes: Record<string, { old: unknown; new: unknown }> = {};
  const show: Record<string, keyof WebhookSettings> = {
    url: "url",
    enabled: "enabled",
    events: "events",
    retry_count: "retryCount",
    timeout_seconds: "timeoutSeconds",
  };
  for (const [name, field] of Object.entries(show)) {
    if (next[field] !== undefined && JSON.stringify(next[field]) !== JSON.stringify(current[field])) {
      changes[name] = { old: current[field], new: next[field] };
    }
  }
  await webhookSettings.save(tenantId, current, next);
  return { settings: { ...current, ...next }, secret, changes };
}

export interface RotationResult {
  newSecret: string;
  oldSecretMasked: string | null;
  /** When the old secret stops signing: now, or after the grace period. */
  invalidationTime: string;
  webhooksNotified: boolean;
}

/**
 * Replaces the signing secret. With `invalidateOld: false` the old secret keeps co-signing
 * deliveries for 24 hours. With `notify`, the configured endpoint gets a `webhook_secret_rotated`
 * event (one attempt) signed with the new and the old secret; the secret itself is never sent.
 */
export async function regenerateWebhookSecret(
  tenantId: string,
  input: { invalidateOld: boolean; notify: boolean; reason?: string },
  opts: DestinationOptions & { now?: Date },
): Promise<RotationResult> {
  const now = opts.now ?? new Date();
  const current = await webhookSettings.get(tenantId, true);
  const newSecret = newWebhookSecret();
  const invalidation =
    input.invalidateOld || current.secret === null ? now : new Date(now.getTime() + ROTATION_GRACE_MS);
  const keepOld = !input.invalidateOld && current.secret !== null;
  await webhookSettings.save(tenantId, current, {
    secret: await encryptSecret(tenantId, newSecret),
    secretHint: secretHint(newSecret),
    secretCreatedAt: now.toISOString(),
    previousSecret: keepOld ? current.secret : null,
    previousSecretHint: keepOld ? current.secretHint : null,
    previousValidUntil: keepOld ? invalidation.toISOString() : null,
  });
  let notified = false;
  if (input.notify && current.enabled && current.url) {
    const oldSecret = current.secret ? await decryptSecret(tenantId, current.secret) : null;
    const result = await deliverWebhook(
      {
        url: current.url,
        secrets: oldSecret ? [newSecret, oldSecret] : [newSecret],
        retryCount: 0,
        timeoutSeconds: Math.min(current.timeoutSeconds, 5),
      },
      {
        id: `evt_${randomUUID()}`,
        type: "webhook_secret_rotated",
        created: now.toISOString(),
        data: {
          invalidate_old: input.invalidateOld,
          invalidation_time: invalidation.toISOString(),
          reason: input.reason ?? null,
        },
      },
      opts,
    );
    notified = result.delivered;
  }
  return {
    newSecret,
    oldSecretMasked: maskSecret(current.secretHint),
    invalidationTime: invalidation.toISOString(),
    webhooksNotified: notified,
  };
}
