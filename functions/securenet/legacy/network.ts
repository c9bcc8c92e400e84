/**
 * GET /api/network (legacy) — the tenant's gateways with their status (online when they published
 * metrics in the last 5 minutes), their last reported metrics and shadow sync state, and counts;
 * per gateway also what it reports of its network: `listening_ports` (sockets bound to a
 * non-loopback address, `tcp:<port>`/`udp:<port>`, from the firewall shadow's report; null when the
 * edge reports none) and `traffic` (bytes per second received and sent between its last two
 * metrics samples, summed over every interface but loopback, and the established TCP connections;
 * null until it reports them). The edge reports traffic summed, not per interface name.
 */

import * as z from "zod/mini";
import { listFleet } from "#shared/fleet/gateways.ts";
import { GatewayResponse, gatewayView } from "#shared/fleet/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";
import { responseSchema } from "#shared/kit/text.ts";

const count = z.number().check(z.int(), z.gte(0));
const rate = z.number().check(z.gte(0));
const NetworkResponse = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({
    gateways: z.array(
      z
        .strictObject({
          ...GatewayResponse.shape,
          listening_ports: z.nullable(z.array(z.string())),
          traffic: z.nullable(
            z.strictObject({
              rx_bytes_per_s: rate,
              tx_bytes_per_s: rate,
              established_connections: z.nullable(count),
              interval_seconds: rate,
              sampled_at: z.nullable(z.string()),
            }),
          ),
        })
        .check(
          z.meta({
            id: "LegacyNetworkGateway",
            description: "A gateway as GET /api/network shows it: the fleet view plus its reported ports and traffic.",
          }),
        ),
    ),
    total: count,
    online: count,
    offline: count,
  }),
);

const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

/** The traffic block of the gateway's last metrics sample (edge contract `metrics.network`), if any. */
function trafficOf(metrics: unknown, sampledAt: string | undefined) {
  const n = (metrics as { network?: Record<string, unknown> } | undefined)?.network;
  const rx = num(n?.rx_bytes_per_s);
  const tx = num(n?.tx_bytes_per_s);
  const interval = num(n?.interval_seconds);
  if (rx === undefined || tx === undefined || interval === undefined) return null;
  return {
    rx_bytes_per_s: rx,
    tx_bytes_per_s: tx,
    established_connections: num(n?.established_connections) ?? null,
    interval_seconds: interval,
    sampled_at: sampledAt ?? null,
  };
}

export const endpoint = defineEndpoint("GET /api/network", { response: NetworkResponse }, async (req) => {
  const fleet = await listFleet(req.principal.tenantId);
  const online = fleet.filter((g) => g.online).length;
  return {
    gateways: fleet.map((g) => ({
      ...gatewayView(g),
      listening_ports: g.listening,
      traffic: trafficOf(g.gateway.lastMetrics, g.gateway.lastSeen),
    })),
    total: fleet.length,
    online,
    offline: fleet.length - online,
  };
});
