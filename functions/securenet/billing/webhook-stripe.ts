import { WebhookView, webhookView } from "#shared/billing/views.ts";
import { receiveStripeWebhook } from "#shared/billing/webhook.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint("POST /api/billing/webhook/stripe", { response: WebhookView }, async (req) => {
  const outcome = await receiveStripeWebhook(req.rawBody, req.headers["stripe-signature"]);
  if (outcome.tenantId && outcome.result === "handled") {
    req.audit({
      tenantId: outcome.tenantId,
      user: "stripe",
      details: { event_id: outcome.eventId, type: outcome.type, ...(outcome.notice ? { notice: outcome.notice } : {}) },
    });
  }
  return webhookView(outcome);
});
