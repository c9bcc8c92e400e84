/**
 * GET /api/network (legacy) — the tenant's gateways with their status (online when they published
 * metrics in the last 5 minutes), their last reported metrics and shadow sync state, and counts.
 * Gateways report no interfaces or ports to Warden, so none are shown.
 */

import * as z from "zod/mini";
import { listFleet } from "#shared/fleet/gateways.ts";
import { GatewayResponse, gatewayView } from "#shared/fleet/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";
import { responseSchema } from "#shared/kit/text.ts";

const count = z.number().check(z.int(), z.gte(0));
const NetworkResponse = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({ gateways: z.array(GatewayResponse), total: count, online: count, offline: count }),
);

export const endpoint = defineEndpoint("GET /api/network", { response: NetworkResponse }, async (req) => {
  const fleet = await listFleet(req.principal.tenantId);
  const online = fleet.filter((g) => g.online).length;
  return { gateways: fleet.map(gatewayView), total: fleet.length, online, offline: fleet.length - online };
});
