import { config } from "#shared/kit/config.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";
import { RegenerateSecretBody } from "#shared/webhooks/schemas.ts";
import { regenerateWebhookSecret } from "#shared/webhooks/settings.ts";

export const endpoint = defineEndpoint(
  "POST /cloud-integration/security/tokens/regenerate-secret",
  { body: RegenerateSecretBody },
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
    return {
      status: "regenerated",
      // Shown once, here; every later read shows it masked.
      new_secret: result.newSecret,
      // Masked: a secret is never returned twice (the spec's example shows it in full).
      old_secret: result.oldSecretMasked,
      message: "Webhook secret regenerated successfully",
      webhooks_notified: result.webhooksNotified,
      invalidation_time: result.invalidationTime,
    };
  },
);
