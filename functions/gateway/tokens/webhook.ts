import * as z from "zod/mini";
import { config } from "#shared/kit/config.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";
import { WEBHOOK_EVENTS } from "#shared/tenancy/db/tenant-settings.ts";
import { configureWebhook } from "#shared/webhooks/settings.ts";
import { webhookView } from "#shared/webhooks/views.ts";

const body = z.strictObject({
  url: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(2048))),
  enabled: z.optional(z.boolean()),
  events: z.optional(z.array(z.enum(WEBHOOK_EVENTS)).check(z.maxLength(WEBHOOK_EVENTS.length))),
  retry_count: z.optional(z.int().check(z.gte(0), z.lte(10))),
  timeout_seconds: z.optional(z.int().check(z.gte(1), z.lte(30))),
});

export const endpoint = defineEndpoint("POST /cloud-integration/security/tokens/webhook", { body }, async (req) => {
  const { settings, secret, changes } = await configureWebhook(
    req.principal.tenantId,
    {
      url: req.body.url,
      enabled: req.body.enabled,
      events: req.body.events,
      retryCount: req.body.retry_count,
      timeoutSeconds: req.body.timeout_seconds,
    },
    { allowPrivate: config.WARDEN_WEBHOOK_ALLOW_PRIVATE },
  );
  req.audit({ resource: "tokens/webhook", details: { changes, secret_created: secret !== null } });
  return {
    status: "updated",
    webhook: { ...webhookView(settings), ...(secret ? { secret } : {}) },
    changes,
    ...(secret ? { warning: "Store this signing secret securely. It will not be shown again." } : {}),
  };
});
