/**
 * Scoring as gateway metrics are ingested (shared/fleet/ingest.ts calls `scoreIngestedMetrics`
 * after storing a sample): when the tenant has an active model whose features the sample carries,
 * the sample is scored; an anomaly is stored (db/anomalies.ts, read by `/api/anomalies` and the
 * findings) and emitted as the audit event `anomaly_detected` (the trail the log stream carries;
 * not a webhook event: the gateway spec lists those). Kept fast: the active model is looked up at
 * most every 30 s per container and its trees are cached (model-store.ts). A scoring failure is logged and never fails the ingest.
 */
import { randomBytes } from "node:crypto";
import { appendAudit } from "#shared/audit/trail.ts";
import { log } from "#shared/kit/log.ts";
import { anomalySeverity } from "./anomalies.ts";
import { putAnomaly } from "./db/anomalies.ts";
import { metricsFeatureValues } from "./metrics-features.ts";
import { activeModel, loadForest } from "./model-store.ts";
import { predictRows } from "./predictions.ts";

export interface ScoredSample {
  anomaly: boolean;
  anomalyId?: string;
}

export async function scoreIngestedMetrics(
  tenantId: string,
  gatewayId: number,
  at: string,
  sample: Record<string, unknown>,
  expiresAt: number,
): Promise<ScoredSample | undefined> {
  try {
    const model = await activeModel(tenantId);
    if (!model) return undefined;
    const values = metricsFeatureValues(sample);
    if (!model.features.every((f) => f in values)) return undefined;
    const forest = await loadForest(tenantId, model);
    if (!forest) return undefined;
    const row = model.features.map((f) => values[f] as number);
    const [p] = predictRows(forest, model.features, [row]);
    if (!p?.isAnomaly) return { anomaly: false };
    const id = `anom_${randomBytes(6).toString("hex")}`;
    const anomaly = {
      id,
      gatewayId,
      timestamp: at,
      modelId: model.id,
      anomalyScore: p.anomalyScore,
      confidence: p.confidence,
      featuresContributing: p.featuresContributing,
      values: Object.fromEntries(model.features.map((f) => [f, values[f] as number])),
      detectedAt: new Date().toISOString(),
    };
    await putAnomaly(tenantId, anomaly, expiresAt);
    await appendAudit(tenantId, [
      {
        event: "Anomaly Detected",
        eventType: "anomaly_detected",
        resource: `gateway/${gatewayId}`,
        status: "success",
        severity: anomalySeverity(p.confidence) === "high" ? "high" : "warning",
        user: "system",
        details: {
          anomaly_id: id,
          gateway_id: gatewayId,
          model_id: model.id,
          anomaly_score: p.anomalyScore,
          confidence: p.confidence,
          features_contributing: p.featuresContributing,
          sample_time: at,
        },
      },
    ]);
    return { anomaly: true, anomalyId: id };
  } catch (error) {
    log.error("anomaly scoring failed", { tenantId, gatewayId, error });
    return undefined;
  }
}
