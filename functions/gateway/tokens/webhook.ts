import { config } from "#shared/kit/config.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";
import { WebhookUpdateBody } from "#shared/webhooks/schemas.ts";
import { configureWebhook } from "#shared/webhooks/settings.ts";
import { WebhookUpdatedResponse, webhookUpdatedView } from "#shared/webhooks/views.ts";

export const endpoint = defineEndpoint(
  "POST /cloud-integration/security/tokens/webhook",
  { body: WebhookUpdateBody, response: WebhookUpdatedResponse },
  async (req) => {
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
    return webhookUpdatedView({ settings, secret, changes });
  },
);
