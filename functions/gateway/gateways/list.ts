/** GET /gateways — the tenant's fleet, each gateway with its shadows' sync state and last_seen. */
import { listFleet } from "#shared/fleet/gateways.ts";
import { FleetResponse, fleetView } from "#shared/fleet/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "GET /cloud-integration/security/gateways",
  { response: FleetResponse },
  async (req) => fleetView(await listFleet(req.principal.tenantId)),
);
