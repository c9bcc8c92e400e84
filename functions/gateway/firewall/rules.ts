/** GET /firewall/rules — rules by priority, filtered by chain type and enabled, with chain and action counts. */
import { listRules } from "#shared/fleet/firewall.ts";
import { RulesQuery } from "#shared/fleet/schemas.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "GET /cloud-integration/security/firewall/rules",
  { query: RulesQuery },
  async (req) => {
    const listing = await listRules(req.principal.tenantId, {
      chain: req.query.type,
      enabled: req.query.enabled,
      limit: req.query.limit,
      gatewayId: req.query.gateway_id,
    });
    return { rules: listing.rules, chains: listing.chains, actions: listing.actions, total: listing.total };
  },
);
