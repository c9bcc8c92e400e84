/** GET /api/dashboard/security/audits/ — the audit schedule for the next `days` (default 90). */
import { auditsDashboard } from "#shared/compliance/dashboards.ts";
import { scopeOf } from "#shared/compliance/enterprises.ts";
import { DashboardAuditsQuery } from "#shared/compliance/schemas.ts";
import { AuditsDashboardView, auditView } from "#shared/compliance/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "GET /api/dashboard/security/audits/",
  { query: DashboardAuditsQuery, response: AuditsDashboardView },
  async (req) => {
    const scope = await scopeOf(req.principal);
    const d = await auditsDashboard(scope, req.query.enterprise_id, req.query.days);
    return { ...d, upcoming: d.upcoming.map(auditView), in_progress: d.in_progress.map(auditView) };
  },
);
