/** GET /firewall/rules — rules by priority, filtered by chain type and enabled, with chain and action counts. */
import * as z from "zod/mini";
import { listRules } from "#shared/fleet/firewall.ts";
import { CHAINS, gatewayIdField } from "#shared/fleet/net-validation.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

const query = z.strictObject({
  type: z.optional(
    z.pipe(
      z.pipe(
        z.string(),
        z.transform((v) => v.toUpperCase()),
      ),
      z.enum(CHAINS, { error: () => "type must be one of input, output, forward" }),
    ),
  ),
  enabled: z.optional(z.stringbool()),
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(1000)), 100),
  gateway_id: gatewayIdField.query,
});

export const endpoint = defineEndpoint("GET /cloud-integration/security/firewall/rules", { query }, async (req) => {
  const listing = await listRules(req.principal.tenantId, {
    chain: req.query.type,
    enabled: req.query.enabled,
    limit: req.query.limit,
    gatewayId: req.query.gateway_id,
  });
  return { rules: listing.rules, chains: listing.chains, actions: listing.actions, total: listing.total };
});
