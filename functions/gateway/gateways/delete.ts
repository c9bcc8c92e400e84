/** DELETE /gateways/{gateway_id} — revoke the certificate (detached from the gateway policy), remove thing, shadows and overrides. */
import { deregisterGateway } from "#shared/fleet/gateways.ts";
import { GatewayPath } from "#shared/fleet/schemas.ts";
import { deregisteredView, GatewayDeregisteredResponse } from "#shared/fleet/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "DELETE /cloud-integration/security/gateways/{gateway_id}",
  { path: GatewayPath, response: GatewayDeregisteredResponse },
  async (req) => {
    const removed = await deregisterGateway(req.principal.tenantId, req.path.gateway_id);
    req.audit({
      resource: `gateway/${removed.id}`,
      details: { gateway_id: removed.id, thing_name: removed.thingName },
    });
    return deregisteredView(removed);
  },
);
