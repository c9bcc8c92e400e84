/** GET /firewall/logs — ingested log lines of the last hours, filtered by action, with statistics. */
import * as z from "zod/mini";
import { firewallLogs } from "#shared/fleet/firewall-log.ts";
import { gatewayIdField } from "#shared/fleet/net-validation.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

const action = z.pipe(
  z.pipe(
    z.string(),
    z.transform((v) => v.toUpperCase()),
  ),
  z.enum(["DROP", "REJECT", "ACCEPT"], { error: () => "action must be one of DROP, REJECT, ACCEPT" }),
);

const query = z.strictObject({
  hours: z._default(z.coerce.number().check(z.gt(0), z.lte(24 * 31)), 24),
  action: z.optional(action),
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(1000)), 100),
  gateway_id: gatewayIdField.query,
});

export const endpoint = defineEndpoint("GET /cloud-integration/security/firewall/logs", { query }, async (req) =>
  firewallLogs(req.principal.tenantId, {
    hours: req.query.hours,
    action: req.query.action,
    limit: req.query.limit,
    gatewayId: req.query.gateway_id,
    now: new Date(),
  }),
);
