/** POST /firewall/ports/manage — block or unblock an inbound port. */
import { managePort } from "#shared/fleet/firewall.ts";
import { ManagePortBody } from "#shared/fleet/schemas.ts";
import { PortChangedResponse, portView } from "#shared/fleet/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "POST /cloud-integration/security/firewall/ports/manage",
  { body: ManagePortBody, response: PortChangedResponse },
  async (req) => {
    const b = req.body;
    const out = await managePort(
      { tenantId: req.principal.tenantId, gatewayId: b.gateway_id, by: req.principal.username },
      { action: b.action, port: b.port, protocol: b.protocol, reason: b.reason },
    );
    req.audit({
      resource: "firewall/ports",
      details: { action: b.action, port: b.port, protocol: b.protocol, reason: b.reason, gateway_id: b.gateway_id },
    });
    return portView(b, out);
  },
);
