/** GET /firewall/status — settings in effect, lists, and today's statistics from ingested log lines. */
import { firewallStatus } from "#shared/fleet/firewall.ts";
import { GatewayQuery } from "#shared/fleet/schemas.ts";
import { FirewallStatusResponse, firewallStatusView } from "#shared/fleet/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "GET /cloud-integration/security/firewall/status",
  { query: GatewayQuery, response: FirewallStatusResponse },
  async (req) => firewallStatusView(await firewallStatus(req.principal.tenantId, req.query.gateway_id)),
);
