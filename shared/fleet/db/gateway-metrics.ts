/**
 * Metrics samples the gateways publish, one item each, with the events' TTL (`expiresAt`):
 *
 *   T#<t>#METRICS#<yyyy-mm-dd> / <timestamp>#<gateway>   one metrics sample
 *
 * Access patterns: store a sample. (The latest sample is also kept on the gateway item, see
 * gateways.ts, which is what the routes read today.)
 */
import { pad, tenantPk } from "#shared/table/keys.ts";
import { batchPut, day } from "./event-writes.ts";

export const gatewayMetricsKeys = {
  dayPk: (t: string, d: string) => `${tenantPk(t)}#METRICS#${d}`,
};

export async function storeMetrics(
  tenantId: string,
  gatewayId: number,
  at: string,
  sample: Record<string, unknown>,
  expiresAt: number,
): Promise<void> {
  await batchPut([
    {
      PK: gatewayMetricsKeys.dayPk(tenantId, day(at)),
      SK: `${at}#${pad(gatewayId)}`,
      type: "GatewayMetrics",
      gateway_id: gatewayId,
      timestamp: at,
      sample,
      expiresAt,
    },
  ]);
}
