/** The webhook as the gateway spec's token settings show it. */
import * as z from "zod/mini";
import { responseSchema } from "#shared/kit/text.ts";
import type { WebhookSettings } from "./db/webhook-settings.ts";
import { maskSecret, SIGNATURE_FORMAT, SIGNATURE_HEADER } from "./signing.ts";

export function webhookView(s: WebhookSettings) {
  return {
    // The secret is shown in full once, when created or rotated; afterwards only masked.
    secret: maskSecret(s.secretHint),
    url: s.url,
    enabled: s.enabled,
    events: s.events,
    retry_count: s.retryCount,
    timeout_seconds: s.timeoutSeconds,
    signature_header: SIGNATURE_HEADER,
    signature_format: SIGNATURE_FORMAT,
  };
}

const timestamp = /* @__PURE__ */ responseSchema(() => z.iso.datetime({ offset: true }));

/** The webhook as every answer shows it; `secret` is masked ("whsec_…abcd"), or null before one exists. */
export const WebhookSchema = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({
    secret: z.nullable(z.string()).check(z.describe("Masked: a secret is shown in full only once")),
    url: z.nullable(z.string()),
    enabled: z.boolean(),
    events: z.array(z.string()),
    retry_count: z.number().check(z.int(), z.gte(0)),
    timeout_seconds: z.number().check(z.int(), z.gte(0)),
    signature_header: z.string(),
    signature_format: z.string(),
  }),
);

/** POST /tokens/webhook */
export function webhookUpdatedView(r: {
  settings: WebhookSettings;
  secret: string | null;
  changes: Record<string, { old: unknown; new: unknown }>;
}) {
  return {
    status: "updated",
    webhook: { ...webhookView(r.settings), ...(r.secret ? { secret: r.secret } : {}) },
    changes: r.changes,
    ...(r.secret ? { warning: "Store this signing secret securely. It will not be shown again." } : {}),
  };
}

export const WebhookUpdatedResponse = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({
    status: z.literal("updated"),
    webhook: WebhookSchema.check(
      z.describe("`secret` is in full here when this request created the first secret, and never again"),
    ),
    changes: z.record(z.string(), z.strictObject({ old: z.unknown(), new: z.unknown() })),
    warning: z.optional(z.string()),
  }),
);

/** POST /tokens/regenerate-secret */
export function secretRegeneratedView(r: {
  newSecret: string;
  oldSecretMasked: string | null;
  webhooksNotified: boolean;
  invalidationTime: string;
}) {
  return {
    status: "regenerated",
    // Shown once, here; every later read shows it masked.
    new_secret: r.newSecret,
    // Masked: a secret is never returned twice (the spec's example shows it in full).
    old_secret: r.oldSecretMasked,
    message: "Webhook secret regenerated successfully",
    webhooks_notified: r.webhooksNotified,
    invalidation_time: r.invalidationTime,
  };
}

export const SecretRegeneratedResponse = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({
    status: z.literal("regenerated"),
    new_secret: z.string().check(z.describe("Shown once")),
    old_secret: z.nullable(z.string()).check(z.describe("Masked")),
    message: z.string(),
    webhooks_notified: z.boolean(),
    invalidation_time: timestamp,
  }),
);
