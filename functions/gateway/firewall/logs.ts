/** GET /firewall/logs — ingested log lines of the last hours, filtered by action, with statistics. */
import { firewallLogs } from "#shared/fleet/firewall-log.ts";
import { FirewallLogsQuery } from "#shared/fleet/schemas.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "GET /cloud-integration/security/firewall/logs",
  { query: FirewallLogsQuery },
  async (req) =>
    firewallLogs(req.principal.tenantId, {
      hours: req.query.hours,
      action: req.query.action,
      limit: req.query.limit,
      gatewayId: req.query.gateway_id,
      now: new Date(),
    }),
);
