/**
 * POST /gateways/resync — writes the saved configuration again to every gateway whose shadow is
 * failed or drifted (as GET /gateways shows it), through the same fan-out workflow as a change:
 * answers at once with the gateways and one receipt per shadow.
 */
import { resyncFleet } from "#shared/fleet/gateways.ts";
import { FleetResyncedResponse, fleetResyncedView } from "#shared/fleet/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "POST /cloud-integration/security/gateways/resync",
  { response: FleetResyncedResponse },
  async (req) => {
    const r = await resyncFleet(req.principal.tenantId, req.principal.username);
    req.audit({ resource: "gateways", details: { gateway_ids: r.gateways } });
    return fleetResyncedView(r);
  },
);
