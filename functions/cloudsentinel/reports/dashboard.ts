/** GET /api/v1/reports/dashboard — scans, active alerts, score, resources and compliance, from stored scans and alerts. */
import { defineEndpoint } from "#shared/kit/endpoint.ts";
import { dashboard } from "#shared/posture/reports.ts";
import { DashboardView } from "#shared/posture/views.ts";

export const endpoint = defineEndpoint("GET /api/v1/reports/dashboard", { response: DashboardView }, async (req) =>
  dashboard(req.principal.tenantId),
);
