import { defineEndpoint } from "#shared/kit/endpoint.ts";
import { organizationMetrics } from "#shared/reports/metrics.ts";
import { OrganizationMetricsView, organizationMetricsView } from "#shared/reports/metrics-views.ts";

export const endpoint = defineEndpoint(
  "GET /api/metrics/organization",
  { response: OrganizationMetricsView },
  async (req) => organizationMetricsView(await organizationMetrics(req.principal.tenantId)),
);
