/**
 * Insights' response views (securenet `/api/insights/*` and the legacy reads), in the spec's wire
 * shape, each beside the zod schema of the `data` it builds (declared by its endpoint as
 * `response`, checked by the contract tests, used for the OpenAPI document).
 */
import * as z from "zod/mini";
import { responseSchema } from "#shared/kit/text.ts";
import type { Anomaly } from "./db/anomalies.ts";
import type { FileItem, ModelItem } from "./db/models.ts";
import type { Finding } from "./findings.ts";
import type { Prediction } from "./predictions.ts";

const timestamp = /* @__PURE__ */ responseSchema(() => z.iso.datetime({ offset: true }));
const count = /* @__PURE__ */ responseSchema(() => z.number().check(z.int(), z.gte(0)));
const unit = /* @__PURE__ */ responseSchema(() => z.number().check(z.gte(0), z.lte(1)));

export const ModelSchema = /* @__PURE__ */ responseSchema(() =>
  z
    .strictObject({
      id: z.string(),
      name: z.string(),
      type: z.literal("isolation_forest"),
      accuracy: z.nullable(unit),
      status: z.enum(["training", "active", "inactive", "failed"]),
      created_at: timestamp,
      last_trained: z.nullable(timestamp),
      training_session_id: z.string(),
      source: z.string(),
      features: z.array(z.string()),
      training_rows: count,
      parameters: z.strictObject({
        contamination: z.union([z.literal("auto"), z.number()]),
        n_estimators: count,
        max_samples: z.union([z.literal("auto"), count]),
        seed: count,
      }),
      evaluation: z.nullable(
        z.strictObject({
          held_out_rows: count,
          held_out_anomalies: count,
          true_positives: count,
          false_positives: count,
          false_negatives: count,
          true_negatives: count,
        }),
      ),
      error: z.nullable(z.string()),
    })
    .check(
      z.meta({
        id: "InsightsModel",
        description:
          "An anomaly-detection model. `accuracy` is measured on held-out labelled rows, null when the data had no labels.",
      }),
    ),
);

export const modelView = (m: ModelItem) => ({
  id: m.id,
  name: m.name,
  type: m.modelType,
  accuracy: m.accuracy,
  status: m.status,
  created_at: m.createdAt,
  last_trained: m.lastTrained,
  training_session_id: m.trainingSessionId,
  source: m.source,
  features: m.features,
  training_rows: m.trainingRows,
  parameters: m.parameters,
  evaluation: m.evaluation,
  error: m.error,
});

export const ModelsResponse = /* @__PURE__ */ responseSchema(() => z.strictObject({ models: z.array(ModelSchema) }));
export const modelsView = (models: ModelItem[]) => ({ models: models.map(modelView) });

export const TrainingStartedResponse = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({ training_session_id: z.string(), model_id: z.string(), status: z.literal("training_started") }),
);
export const trainingStartedView = (m: ModelItem) => ({
  training_session_id: m.trainingSessionId,
  model_id: m.id,
  status: "training_started" as const,
});

export const PredictResponse = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({
    predictions: z.array(
      z.strictObject({
        is_anomaly: z.boolean(),
        confidence: unit,
        anomaly_score: unit,
        features_contributing: z.array(z.string()),
      }),
    ),
    model_info: z.strictObject({ id: z.string(), accuracy: z.nullable(unit), last_trained: z.nullable(timestamp) }),
  }),
);
export const predictView = (r: { model: ModelItem; predictions: Prediction[] }) => ({
  predictions: r.predictions.map((p) => ({
    is_anomaly: p.isAnomaly,
    confidence: p.confidence,
    anomaly_score: p.anomalyScore,
    features_contributing: p.featuresContributing,
  })),
  model_info: { id: r.model.id, accuracy: r.model.accuracy, last_trained: r.model.lastTrained },
});

export const UploadResponse = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({
    file_id: z.string(),
    filename: z.string(),
    size_bytes: count,
    rows_count: count,
    columns: z.array(z.string()),
    upload_timestamp: timestamp,
  }),
);
export const uploadView = (f: FileItem) => ({
  file_id: f.id,
  filename: f.filename,
  size_bytes: f.sizeBytes,
  rows_count: f.rowsCount,
  columns: f.columns,
  upload_timestamp: f.uploadedAt,
});

export const AnomalySchema = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({
    id: z.string(),
    gateway_id: count,
    timestamp,
    detected_at: timestamp,
    model_id: z.string(),
    anomaly_score: unit,
    confidence: unit,
    features_contributing: z.array(z.string()),
    values: z.record(z.string(), z.number()),
  }),
);
export const anomalyView = (a: Anomaly) => ({
  id: a.id,
  gateway_id: a.gatewayId,
  timestamp: a.timestamp,
  detected_at: a.detectedAt,
  model_id: a.modelId,
  anomaly_score: a.anomalyScore,
  confidence: a.confidence,
  features_contributing: a.featuresContributing,
  values: a.values,
});

export const AnomaliesResponse = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({
    anomalies: z.array(AnomalySchema),
    count,
    next_cursor: z.nullable(z.string()),
    period: z.strictObject({ start: timestamp, end: timestamp, hours: count }),
  }),
);
export const anomaliesView = (r: { items: Anomaly[]; cursor: string | null; from: Date; to: Date; hours: number }) => ({
  anomalies: r.items.map(anomalyView),
  count: r.items.length,
  next_cursor: r.cursor,
  period: { start: r.from.toISOString(), end: r.to.toISOString(), hours: r.hours },
});

// ── findings: summary, threat analysis, recommendations ─────────────────────────────────────────

const severity = /* @__PURE__ */ responseSchema(() => z.enum(["low", "medium", "high", "critical"]));
const period = /* @__PURE__ */ responseSchema(() => z.strictObject({ start: timestamp, end: timestamp, hours: count }));

export const FindingSchema = /* @__PURE__ */ responseSchema(() =>
  z
    .strictObject({
      rule: z.string(),
      severity,
      confidence: unit,
      title: z.string(),
      description: z.string(),
      affected: z.array(z.string()),
      evidence: z.strictObject({
        source: z.enum(["audit", "firewall", "anomalies", "users", "metrics", "scans"]),
        count,
        record_ids: z.array(z.string()),
      }),
      first_seen: z.nullable(timestamp),
      last_seen: z.nullable(timestamp),
    })
    .check(
      z.meta({
        id: "InsightsFinding",
        description: "What a documented rule found in the tenant's records, citing them (source, count, record ids).",
      }),
    ),
);

export const SummaryResponse = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({
    summary: z.string(),
    key_findings: z.array(z.string()),
    recommendations: z.array(z.string()),
    risk_level: severity,
    findings: z.array(FindingSchema),
    period,
  }),
);
export const summaryView = (s: {
  summary: string;
  keyFindings: string[];
  recommendations: string[];
  riskLevel: string;
  findings: Finding[];
  period: { start: string; end: string; hours: number };
}) => ({
  summary: s.summary,
  key_findings: s.keyFindings,
  recommendations: s.recommendations,
  risk_level: s.riskLevel,
  findings: s.findings,
  period: s.period,
});

export const ThreatAnalysisResponse = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({
    threat_level: severity,
    threats_detected: z.array(
      z.strictObject({
        type: z.string(),
        severity,
        confidence: unit,
        description: z.string(),
        affected_devices: z.array(z.string()),
        recommended_actions: z.array(z.string()),
        evidence: FindingSchema.shape.evidence,
      }),
    ),
    behavioral_patterns: z.array(
      z.strictObject({
        pattern: z.string(),
        anomaly_score: unit,
        first_detected: z.nullable(timestamp),
        evidence: FindingSchema.shape.evidence,
      }),
    ),
    predictions: z.nullable(
      z.strictObject({
        next_24h_risk: severity,
        next_7d_risk: severity,
        recommended_monitoring: z.array(z.string()),
      }),
    ),
    period,
  }),
);
export const threatAnalysisView = (t: {
  threatLevel: string;
  threats: { finding: Finding; type: string; actions: string[] }[];
  patterns: { pattern: string; anomalyScore: number; firstDetected: string | null; finding: Finding }[];
  predictions: { next24hRisk: string; next7dRisk: string; monitoring: string[] } | null;
  period: { start: string; end: string; hours: number };
}) => ({
  threat_level: t.threatLevel,
  threats_detected: t.threats.map((x) => ({
    type: x.type,
    severity: x.finding.severity,
    confidence: x.finding.confidence,
    description: x.finding.description,
    affected_devices: x.finding.affected,
    recommended_actions: x.actions,
    evidence: x.finding.evidence,
  })),
  behavioral_patterns: t.patterns.map((p) => ({
    pattern: p.pattern,
    anomaly_score: p.anomalyScore,
    first_detected: p.firstDetected,
    evidence: p.finding.evidence,
  })),
  predictions: t.predictions
    ? {
        next_24h_risk: t.predictions.next24hRisk,
        next_7d_risk: t.predictions.next7dRisk,
        recommended_monitoring: t.predictions.monitoring,
      }
    : null,
  period: t.period,
});

export const RecommendationsResponse = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({
    recommendations: z.array(
      z.strictObject({
        id: z.string(),
        category: z.string(),
        priority: z.enum(["high", "medium", "low"]),
        title: z.string(),
        description: z.string(),
        impact: z.string(),
        effort: z.enum(["low", "medium", "high"]),
        affected_devices: z.optional(z.array(z.string())),
        estimated_time: z.string(),
        evidence: FindingSchema.shape.evidence,
      }),
    ),
    summary: z.strictObject({
      total_recommendations: count,
      high_priority: count,
      medium_priority: count,
      low_priority: count,
    }),
    period,
  }),
);
export const recommendationsView = (r: {
  items: {
    id: string;
    category: string;
    priority: "high" | "medium" | "low";
    title: string;
    description: string;
    impact: string;
    effort: string;
    affectedDevices: string[] | undefined;
    estimatedTime: string;
    finding: Finding;
  }[];
  period: { start: string; end: string; hours: number };
}) => ({
  recommendations: r.items.map((i) => ({
    id: i.id,
    category: i.category,
    priority: i.priority,
    title: i.title,
    description: i.description,
    impact: i.impact,
    effort: i.effort,
    ...(i.affectedDevices ? { affected_devices: i.affectedDevices } : {}),
    estimated_time: i.estimatedTime,
    evidence: i.finding.evidence,
  })),
  summary: {
    total_recommendations: r.items.length,
    high_priority: r.items.filter((i) => i.priority === "high").length,
    medium_priority: r.items.filter((i) => i.priority === "medium").length,
    low_priority: r.items.filter((i) => i.priority === "low").length,
  },
  period: r.period,
});
