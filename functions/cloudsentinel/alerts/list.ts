/** GET /api/v1/alerts/ — the tenant's cloud alerts, newest first, filtered by severity, status and service. */
import { defineEndpoint } from "#shared/kit/endpoint.ts";
import { alertsOf } from "#shared/posture/alerts.ts";
import { AlertListQuery } from "#shared/posture/schemas.ts";
import { AlertListView, alertView } from "#shared/posture/views.ts";

export const endpoint = defineEndpoint(
  "GET /api/v1/alerts/",
  { query: AlertListQuery, response: AlertListView },
  async (req) => {
    const { severity, status, service, skip, limit } = req.query;
    const alerts = (await alertsOf(req.principal.tenantId)).filter(
      (a) =>
        (!severity || a.severity === severity) &&
        (!status || a.status === status) &&
        (!service || a.service === service),
    );
    return { items: alerts.slice(skip, skip + limit).map(alertView), total: alerts.length, skip, limit };
  },
);
