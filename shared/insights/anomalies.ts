/**
 * Anomalies found at ingest (scoring.ts): listed by `/api/anomalies` (newest first, one page at a
 * time) and counted for the metrics dashboards (`/api/metrics/organization`, `/dashboard`).
 */
import { type Anomaly, anomalyConfidences, anomalyPage } from "./db/anomalies.ts";
import { getActiveModelId } from "./db/models.ts";

export type { Anomaly } from "./db/anomalies.ts";

export type AnomalySeverity = "high" | "medium" | "low";

/**
 * An anomaly's severity, from its confidence (IsolationForest.confidence: tanh of the decision's
 * distance from the threshold, in spreads of the training scores): high at one spread or more
 * beyond the threshold (tanh 1 ≈ 0.762), medium at half a spread or more (tanh 0.5 ≈ 0.462), low
 * below that. The audit record of an anomaly (scoring.ts) uses the same line for `high`.
 */
export const HIGH_CONFIDENCE = Math.tanh(1);
export const MEDIUM_CONFIDENCE = Math.tanh(0.5);
export const anomalySeverity = (confidence: number): AnomalySeverity =>
  confidence >= HIGH_CONFIDENCE ? "high" : confidence >= MEDIUM_CONFIDENCE ? "medium" : "low";

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

/** The window the dashboards count anomalies over (as the security metrics count events). */
export const ANOMALY_COUNT_DAYS = 30;

export interface AnomalyCounts {
  total: number;
  high: number;
  medium: number;
  low: number;
  /** Whether the tenant has an active model, i.e. whether new samples are scored at all. */
  detecting: boolean;
}

/** The tenant's anomalies of the last 30 days by severity, and whether detection is running for it. */
export async function anomalyCounts(tenantId: string, now = new Date()): Promise<AnomalyCounts> {
  const from = new Date(now.getTime() - ANOMALY_COUNT_DAYS * 86_400_000);
  const [confidences, activeId] = await Promise.all([
    anomalyConfidences(tenantId, from.toISOString(), now.toISOString()),
    getActiveModelId(tenantId),
  ]);
  const counts: AnomalyCounts = { total: confidences.length, high: 0, medium: 0, low: 0, detecting: !!activeId };
  for (const c of confidences) counts[anomalySeverity(c)] += 1;
  return counts;
}
