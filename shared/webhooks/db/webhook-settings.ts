/**
 * The tenant's outgoing webhook settings: one settings document, `T#<tenant>` /
 * `SETTINGS#access:webhook`, holding only what the tenant set (defaults overlay the rest).
 * The signing secrets are envelope-encrypted (shared/crypto/envelope.ts); never stored in plaintext.
 */
import * as z from "zod/mini";
import { settingsDocument } from "#shared/table/settings-doc.ts";
import { WEBHOOK_EVENTS } from "../events.ts";

export const WebhookSettings = z.object({
  url: z._default(z.nullable(z.string()), null),
  enabled: z._default(z.boolean(), false),
  events: z._default(z.array(z.string()), [...WEBHOOK_EVENTS]),
  retryCount: z._default(z.number(), 3),
  timeoutSeconds: z._default(z.number(), 10),
  /** Envelope-encrypted signing secret; never stored in plaintext. */
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

export const webhookSettings = settingsDocument("webhook", WebhookSettings, "access:webhook");
