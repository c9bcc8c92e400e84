import { UsageQuery } from "#shared/billing/schemas.ts";
import { overageCharges, usageHistory } from "#shared/billing/usage.ts";
import { UsageView, usageView } from "#shared/billing/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "GET /api/billing/usage",
  { query: UsageQuery, response: UsageView },
  async (req) => {
    const { snapshot, months } = await usageHistory(req.principal.tenantId, req.query.months);
    return usageView(snapshot, months, overageCharges(snapshot));
  },
);
