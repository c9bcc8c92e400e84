/** GET /firewall/logs — ingested log lines of the last hours, filtered by action, with statistics. */
import { firewallLogs } from "#shared/fleet/firewall-log.ts";
import { FirewallLogsQuery } from "#shared/fleet/schemas.ts";
import { FirewallLogsResponse, firewallLogsView } from "#shared/fleet/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "GET /cloud-integration/security/firewall/logs",
  { query: FirewallLogsQuery, response: FirewallLogsResponse },
  async (req) => {
    const q = req.query;
    const logs = await firewallLogs(req.principal.tenantId, {
      hours: q.hours,
      action: q.action,
      limit: q.limit,
      gatewayId: q.gateway_id,
    });
    return firewallLogsView(logs);
  },
);
