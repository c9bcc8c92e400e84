/** GET /ssh/settings — sshd settings in effect, public keys, and today's connection counters. */
import * as z from "zod/mini";
import { gatewayIdField } from "#shared/fleet/net-validation.ts";
import { getSshSettings } from "#shared/fleet/ssh.ts";
import { endpoint } from "#shared/kit/endpoint.ts";

const query = z.strictObject({ gateway_id: gatewayIdField.query });

export const handler = endpoint("GET /cloud-integration/security/ssh/settings", { query }, async (req) =>
  getSshSettings(req.principal.tenantId, req.query.gateway_id),
);
