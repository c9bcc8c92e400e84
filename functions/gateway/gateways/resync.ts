/**
 * POST /gateways/{gateway_id}/resync — beyond the spec: writes the saved firewall, ssh (and
 * certificates) configuration to one gateway's shadows again, in the call (after a failed write, a
 * drift, or a lost shadow store). A newer desired is left alone.
 */
import { resyncGateway } from "#shared/fleet/gateways.ts";
import { GatewayPath } from "#shared/fleet/schemas.ts";
import { GatewayResyncedResponse, gatewayResyncedView } from "#shared/fleet/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "POST /cloud-integration/security/gateways/{gateway_id}/resync",
  { path: GatewayPath, response: GatewayResyncedResponse },
  async (req) => {
    const sync = await resyncGateway(req.principal.tenantId, req.path.gateway_id);
    req.audit({
      resource: `gateway/${req.path.gateway_id}`,
      details: {
        gateway_id: req.path.gateway_id,
        written: { firewall: sync.firewall.written, ssh: sync.ssh.written },
      },
    });
    return gatewayResyncedView(req.path.gateway_id, sync);
  },
);
