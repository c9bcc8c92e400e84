/**
 * Metrics samples the gateways publish, one item each, with the events' TTL (`expiresAt`):
 *
 *   T#<t>#METRICS#<yyyy-mm-dd> / <timestamp>#<gateway>   one metrics sample
 *
 * Access patterns: store a sample (the latest one is also kept on the gateway item, see
 * gateways.ts `markSeen`, which is what the routes read).
 */
import * as z from "zod/mini";
import { pad, tenantPk } from "#shared/table/keys.ts";
import { batchPut, day } from "./event-writes.ts";

export const gatewayMetricsKeys = {
  dayPk: (t: string, d: string) => `${tenantPk(t)}#METRICS#${d}`,
  sk: (at: string, gatewayId: number) => `${at}#${pad(gatewayId)}`,
};

export const GatewayMetricsItem = z.object({
  type: z.literal("GatewayMetrics"),
  gateway_id: z.number(),
  timestamp: z.string(),
  /** The sample as the edge contract's metrics event carries it (cpu, memory, uptime_seconds). */
  sample: z.record(z.string(), z.unknown()),
  expiresAt: z.number(),
});

export async function putGatewayMetrics(
  tenantId: string,
  gatewayId: number,
  at: string,
  sample: Record<string, unknown>,
  expiresAt: number,
): Promise<void> {
  const item: z.infer<typeof GatewayMetricsItem> = {
    type: "GatewayMetrics",
    gateway_id: gatewayId,
    timestamp: at,
    sample,
    expiresAt,
  };
  await batchPut([
    { PK: gatewayMetricsKeys.dayPk(tenantId, day(at)), SK: gatewayMetricsKeys.sk(at, gatewayId), ...item },
  ]);
}
