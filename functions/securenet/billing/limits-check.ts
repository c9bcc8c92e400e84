import { limitWarnings, usageSnapshot, withinLimits } from "#shared/billing/usage.ts";
import { LimitsCheckView, limitsCheckView } from "#shared/billing/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint("GET /api/billing/limits/check", { response: LimitsCheckView }, async (req) => {
  const s = await usageSnapshot(req.principal.tenantId);
  return limitsCheckView(s, withinLimits(s), limitWarnings(s));
});
