import { stripeConfigured } from "#shared/billing/settings.ts";
import { billingAccount } from "#shared/billing/subscriptions.ts";
import { usageSnapshot } from "#shared/billing/usage.ts";
import { CurrentPlanView, currentPlanView } from "#shared/billing/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint("GET /api/billing/current-plan", { response: CurrentPlanView }, async (req) => {
  const tenantId = req.principal.tenantId;
  const [snapshot, account] = await Promise.all([usageSnapshot(tenantId), billingAccount(tenantId)]);
  return currentPlanView(snapshot, account, stripeConfigured());
});
