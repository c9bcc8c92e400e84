import { config } from "#shared/kit/config.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";
import { RegenerateSecretBody } from "#shared/webhooks/schemas.ts";
import { regenerateWebhookSecret } from "#shared/webhooks/settings.ts";
import { SecretRegeneratedResponse, secretRegeneratedView } from "#shared/webhooks/views.ts";

export const endpoint = defineEndpoint(
  "POST /cloud-integration/security/tokens/regenerate-secret",
  { body: RegenerateSecretBody, response: SecretRegeneratedResponse },
  async (req) => {
    const result = await regenerateWebhookSecret(
      req.principal.tenantId,
      { invalidateOld: req.body.invalidate_old, notify: req.body.notify_webhooks, reason: req.body.reason },
      { allowPrivate: config.WARDEN_WEBHOOK_ALLOW_PRIVATE },
    );
    req.audit({
      resource: "tokens/webhook",
      details: {
        invalidate_old: req.body.invalidate_old,
        invalidation_time: result.invalidationTime,
        webhooks_notified: result.webhooksNotified,
        reason: req.body.reason ?? null,
      },
    });
    return secretRegeneratedView(result);
  },
);
