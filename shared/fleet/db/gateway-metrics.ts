/**
 * Metrics samples the gateways publish, one item each, with the events' TTL (`expiresAt`):
 *
 *   T#<t>#METRICS#<yyyy-mm-dd> / <timestamp>#<gateway>   one metrics sample
 *
 * Access patterns: store a sample (the latest one is also kept on the gateway item, see
 * gateways.ts `markSeen`, which is what the routes read); read the samples of a period (one Query
 * per day partition: the insights area trains on them).
 */
import * as z from "zod/mini";
import { pad, tenantPk } from "#shared/table/keys.ts";
import { queryAll } from "#shared/table/repo.ts";
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

/** Samples since `since` (one Query per day partition), oldest first, at most `max`. */
export async function gatewayMetricsSince(
  tenantId: string,
  since: Date,
  now: Date,
  max: number,
): Promise<z.infer<typeof GatewayMetricsItem>[]> {
  const out: z.infer<typeof GatewayMetricsItem>[] = [];
  const last = day(now.toISOString());
  for (let d = day(since.toISOString()); d <= last && out.length < max; ) {
    const items = await queryAll({ tenantId, pk: gatewayMetricsKeys.dayPk(tenantId, d) }, max - out.length);
    for (const i of items) {
      const parsed = GatewayMetricsItem.safeParse(i);
      if (parsed.success && parsed.data.timestamp >= since.toISOString()) out.push(parsed.data);
    }
    d = day(new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString());
  }
  return out.slice(0, max);
}
