import { CheckoutBody } from "#shared/billing/schemas.ts";
import { checkout } from "#shared/billing/subscriptions.ts";
import { CheckoutView, checkoutView } from "#shared/billing/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "POST /api/billing/checkout",
  { body: CheckoutBody, response: CheckoutView },
  async (req) => {
    const session = await checkout(req.principal.tenantId, req.body.plan_id);
    req.audit({ details: { plan: req.body.plan_id, session_id: session.id } });
    req.status(201);
    return checkoutView(session);
  },
);
