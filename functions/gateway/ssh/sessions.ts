/** GET /ssh/sessions — sessions the gateways reported: active (default) or also today's ended ones. */
import * as z from "zod/mini";
import { gatewayIdField } from "#shared/fleet/net-validation.ts";
import { sshSessions } from "#shared/fleet/ssh.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

const query = z.strictObject({
  active_only: z._default(z.stringbool(), true),
  gateway_id: gatewayIdField.query,
});

export const endpoint = defineEndpoint("GET /cloud-integration/security/ssh/sessions", { query }, async (req) =>
  sshSessions(req.principal.tenantId, { activeOnly: req.query.active_only, gatewayId: req.query.gateway_id }),
);
