import { AuditStatsQuery } from "#shared/audit/schemas.ts";
import { auditStatistics } from "#shared/audit/stats.ts";
import { AuditStatsResponse } from "#shared/audit/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "GET /cloud-integration/security/audit/stats",
  { query: AuditStatsQuery, response: AuditStatsResponse },
  (req) =>
    auditStatistics(req.principal.tenantId, {
      timeRange: req.query.time_range,
      startDate: req.query.start_date,
      endDate: req.query.end_date,
    }),
);
