/** GET /api/dashboard/security/compliance/ — controls, score per framework, items and failing evidence. */
import { complianceDashboard } from "#shared/compliance/dashboards.ts";
import { scopeOf } from "#shared/compliance/enterprises.ts";
import { DashboardQuery } from "#shared/compliance/schemas.ts";
import { ComplianceDashboardView, complianceDashboardView } from "#shared/compliance/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "GET /api/dashboard/security/compliance/",
  { query: DashboardQuery, response: ComplianceDashboardView },
  async (req) => {
    const scope = await scopeOf(req.principal);
    return complianceDashboardView(await complianceDashboard(scope, req.query.enterprise_id));
  },
);
