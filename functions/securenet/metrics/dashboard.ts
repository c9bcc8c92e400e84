import { defineEndpoint } from "#shared/kit/endpoint.ts";
import { organizationMetrics, recentActivity, securityMetrics, systemMetrics } from "#shared/reports/metrics.ts";
import { DashboardView, dashboardView } from "#shared/reports/metrics-views.ts";

export const endpoint = defineEndpoint("GET /api/metrics/dashboard", { response: DashboardView }, async (req) => {
  const tenantId = req.principal.tenantId;
  const [system, organization, security, activity] = await Promise.all([
    systemMetrics(tenantId),
    organizationMetrics(tenantId),
    securityMetrics(tenantId),
    recentActivity(tenantId),
  ]);
  return dashboardView(system, organization, security, activity);
});
