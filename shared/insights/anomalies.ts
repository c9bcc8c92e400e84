/** Anomalies found at ingest (scoring.ts), as `/api/anomalies` lists them: newest first, one page at a time. */
import { type Anomaly, anomalyPage } from "./db/anomalies.ts";

export type { Anomaly } from "./db/anomalies.ts";

export async function listAnomalies(
  tenantId: string,
  q: { hours: number; limit: number; cursor?: string; gatewayId?: number },
  now = new Date(),
): Promise<{ items: Anomaly[]; cursor: string | null; from: Date; to: Date; hours: number }> {
  const from = new Date(now.getTime() - q.hours * 3_600_000);
  const page = await anomalyPage(tenantId, {
    from: from.toISOString(),
    to: now.toISOString(),
    limit: q.limit,
    cursor: q.cursor ?? null,
    gatewayId: q.gatewayId,
  });
  return { ...page, from, to: now, hours: q.hours };
}
