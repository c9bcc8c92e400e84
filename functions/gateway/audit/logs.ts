import { queryAuditLogs } from "#shared/audit/query.ts";
import { AuditLogsQuery } from "#shared/audit/schemas.ts";
import { AuditLogsResponse } from "#shared/audit/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "GET /cloud-integration/security/audit/logs",
  { query: AuditLogsQuery, response: AuditLogsResponse },
  (req) =>
    queryAuditLogs(req.principal.tenantId, {
      hours: req.query.hours,
      eventType: req.query.event_type,
      username: req.query.username,
      ip: req.query.ip_address,
      status: req.query.status,
      resource: req.query.resource,
      limit: req.query.limit,
      page: req.query.page,
    }),
);
