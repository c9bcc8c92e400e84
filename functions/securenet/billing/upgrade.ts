import { UpgradeBody } from "#shared/billing/schemas.ts";
import { changePlan } from "#shared/billing/subscriptions.ts";
import { UpgradeView, upgradeView } from "#shared/billing/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "POST /api/billing/upgrade",
  { body: UpgradeBody, response: UpgradeView },
  async (req) => {
    const change = await changePlan(req.principal.tenantId, req.body.plan_id, req.body.payment_method);
    req.audit({ details: { from: change.previous.id, to: change.plan.id, status: change.status } });
    return upgradeView(change);
  },
);
