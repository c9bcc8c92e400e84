/** GET /firewall/status — settings in effect, lists, and today's statistics from ingested log lines. */
import * as z from "zod/mini";
import { firewallStatus } from "#shared/fleet/firewall.ts";
import { gatewayIdField } from "#shared/fleet/net-validation.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

const query = z.strictObject({ gateway_id: gatewayIdField.query });

export const endpoint = defineEndpoint("GET /cloud-integration/security/firewall/status", { query }, async (req) =>
  firewallStatus(req.principal.tenantId, req.query.gateway_id),
);
