/**
 * POST /gateways — register a gateway: IoT thing and certificate, bound to the static gateway policy. The certificate's
 * private key is in this response and nowhere else; it cannot be fetched again.
 */
import { registerGateway } from "#shared/fleet/gateways.ts";
import { RegisterGatewayBody } from "#shared/fleet/schemas.ts";
import { GatewayRegisteredResponse, registeredView } from "#shared/fleet/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "POST /cloud-integration/security/gateways",
  { body: RegisterGatewayBody, response: GatewayRegisteredResponse },
  async (req) => {
    const created = await registerGateway(req.principal.tenantId, req.principal.username, req.body);
    req.status(201);
    req.audit({
      resource: `gateway/${created.gateway.id}`,
      details: { gateway_id: created.gateway.id, name: created.gateway.name, thing_name: created.gateway.thing_name },
    });
    return registeredView(created);
  },
);
