/** Request schemas of the webhook routes (gateway spec "API Keys & Tokens"). */
import * as z from "zod/mini";
import { freeText } from "#shared/kit/text.ts";
import { WEBHOOK_EVENTS } from "./events.ts";

/** POST /tokens/webhook (beyond spec): configure the tenant's outgoing webhook. */
export const WebhookUpdateBody = z.strictObject({
  url: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(2048))),
  enabled: z.optional(z.boolean()),
  events: z.optional(z.array(z.enum(WEBHOOK_EVENTS)).check(z.maxLength(WEBHOOK_EVENTS.length))),
  retry_count: z.optional(z.int().check(z.gte(0), z.lte(10))),
  timeout_seconds: z.optional(z.int().check(z.gte(1), z.lte(30))),
});

/** POST /tokens/regenerate-secret. */
export const RegenerateSecretBody = z.strictObject({
  invalidate_old: z._default(z.boolean(), true),
  notify_webhooks: z._default(z.boolean(), false),
  reason: z.optional(freeText({ max: 500 })),
});
