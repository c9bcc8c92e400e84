/** GET /api/dashboard/security/incidents/ — incidents by status and severity, time to resolve. */
import { incidentsDashboard } from "#shared/compliance/dashboards.ts";
import { scopeOf } from "#shared/compliance/enterprises.ts";
import { DashboardQuery } from "#shared/compliance/schemas.ts";
import { IncidentsDashboardView, incidentsDashboardView } from "#shared/compliance/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "GET /api/dashboard/security/incidents/",
  { query: DashboardQuery, response: IncidentsDashboardView },
  async (req) => {
    const scope = await scopeOf(req.principal);
    return incidentsDashboardView(await incidentsDashboard(scope, req.query.enterprise_id));
  },
);
