/**
 * GET /api/logs (legacy) — `type=audit` (default): the audit trail, as `GET
 * /cloud-integration/security/audit/logs` pages it (filters event_type, status, username);
 * `type=gateway`: the gateways' firewall log lines, newest first (filters action, gateway_id), which
 * also needs `firewall:read`.
 */

import * as z from "zod/mini";
import { queryAuditLogs } from "#shared/audit/query.ts";
import { AuditLogsResponse } from "#shared/audit/views.ts";
import { hasPermission } from "#shared/auth/permissions.ts";
import { firewallLogs } from "#shared/fleet/firewall-log.ts";
import { FirewallLogsResponse, firewallLogsView } from "#shared/fleet/views.ts";
import { LogsQuery } from "#shared/insights/schemas.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";
import { Forbidden } from "#shared/kit/errors.ts";
import { responseSchema } from "#shared/kit/text.ts";

const LegacyLogsResponse = /* @__PURE__ */ responseSchema(() =>
  z.union([
    z.strictObject({ type: z.literal("audit"), ...AuditLogsResponse.shape }),
    z.strictObject({ type: z.literal("gateway"), ...FirewallLogsResponse.shape }),
  ]),
);

export const endpoint = defineEndpoint(
  "GET /api/logs",
  { query: LogsQuery, response: LegacyLogsResponse },
  async (req) => {
    const q = req.query;
    const tenantId = req.principal.tenantId;
    if (q.type === "gateway") {
      if (!hasPermission(req.principal.permissions, "firewall:read")) {
        throw new Forbidden("type=gateway needs the firewall:read permission");
      }
      const logs = await firewallLogs(tenantId, {
        hours: q.hours,
        action: q.action,
        limit: q.limit,
        gatewayId: q.gateway_id,
      });
      return { type: "gateway" as const, ...firewallLogsView(logs) };
    }
    const logs = await queryAuditLogs(tenantId, {
      hours: q.hours,
      limit: q.limit,
      page: q.page,
      eventType: q.event_type,
      status: q.status,
      username: q.username,
    });
    return { type: "audit" as const, ...logs };
  },
);
