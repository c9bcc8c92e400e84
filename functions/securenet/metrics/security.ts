import { defineEndpoint } from "#shared/kit/endpoint.ts";
import { securityMetrics } from "#shared/reports/metrics.ts";
import { SecurityMetricsView, securityMetricsView } from "#shared/reports/metrics-views.ts";

export const endpoint = defineEndpoint("GET /api/metrics/security", { response: SecurityMetricsView }, async (req) =>
  securityMetricsView(await securityMetrics(req.principal.tenantId)),
);
