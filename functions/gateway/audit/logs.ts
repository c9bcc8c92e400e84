import * as z from "zod/mini";
import { MAX_AUDIT_HOURS, queryAuditLogs } from "#shared/audit/query.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

const text = z.string().check(z.trim(), z.minLength(1), z.maxLength(256));
const query = z.strictObject({
  hours: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(MAX_AUDIT_HOURS)), 24),
  event_type: z.optional(text),
  username: z.optional(text),
  ip_address: z.optional(text),
  status: z.optional(z.enum(["success", "failed"])),
  resource: z.optional(text),
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(1000)), 100),
  page: z._default(z.coerce.number().check(z.int(), z.gte(1)), 1),
});

export const endpoint = defineEndpoint("GET /cloud-integration/security/audit/logs", { query }, (req) =>
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
