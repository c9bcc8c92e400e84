/** GET /api/v1/alerts/stats — counts by severity, status and service, and trends from the alerts' history. */
import { defineEndpoint } from "#shared/kit/endpoint.ts";
import { alertStats, alertsOf } from "#shared/posture/alerts.ts";
import { AlertStatsView } from "#shared/posture/views.ts";

export const endpoint = defineEndpoint("GET /api/v1/alerts/stats", { response: AlertStatsView }, async (req) =>
  alertStats(await alertsOf(req.principal.tenantId)),
);
