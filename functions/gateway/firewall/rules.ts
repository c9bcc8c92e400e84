/** GET /firewall/rules — rules by priority, filtered by chain type and enabled, with chain and action counts. */
import { listRules } from "#shared/fleet/firewall.ts";
import { RulesQuery } from "#shared/fleet/schemas.ts";
import { RulesResponse, rulesView } from "#shared/fleet/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "GET /cloud-integration/security/firewall/rules",
  { query: RulesQuery, response: RulesResponse },
  async (req) => {
    const q = req.query;
    const listing = await listRules(req.principal.tenantId, {
      chain: q.type,
      enabled: q.enabled,
      limit: q.limit,
      gatewayId: q.gateway_id,
    });
    return rulesView(listing);
  },
);
