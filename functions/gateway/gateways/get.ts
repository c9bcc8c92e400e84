/** GET /gateways/{gateway_id} — one gateway with its shadows' sync state and last_seen. */
import { getFleetGateway } from "#shared/fleet/gateways.ts";
import { GatewayPath } from "#shared/fleet/schemas.ts";
import { GatewayResponse, gatewayView } from "#shared/fleet/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "GET /cloud-integration/security/gateways/{gateway_id}",
  { path: GatewayPath, response: GatewayResponse },
  async (req) => gatewayView(await getFleetGateway(req.principal.tenantId, req.path.gateway_id)),
);
