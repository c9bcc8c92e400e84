/** GET /gateways/{gateway_id} — one gateway with its shadows' sync state and last_seen. */
import * as z from "zod/mini";
import { getFleetGateway } from "#shared/fleet/gateways.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

const path = z.strictObject({ gateway_id: z.coerce.number().check(z.int(), z.positive()) });

export const endpoint = defineEndpoint("GET /cloud-integration/security/gateways/{gateway_id}", { path }, async (req) =>
  getFleetGateway(req.principal.tenantId, req.path.gateway_id),
);
