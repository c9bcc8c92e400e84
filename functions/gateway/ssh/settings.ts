/** GET /ssh/settings — sshd settings in effect, public keys, and today's connection counters. */
import * as z from "zod/mini";
import { gatewayIdField } from "#shared/fleet/net-validation.ts";
import { getSshSettings } from "#shared/fleet/ssh.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

const query = z.strictObject({ gateway_id: gatewayIdField.query });

export const endpoint = defineEndpoint("GET /cloud-integration/security/ssh/settings", { query }, async (req) =>
  getSshSettings(req.principal.tenantId, req.query.gateway_id),
);
