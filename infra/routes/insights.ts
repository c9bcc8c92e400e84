/**
 * Securenet surface, AI/ML insights (securenet spec "AI/ML Insights Endpoints") and four of the
 * legacy reads kept for backward compatibility (each answers with `Deprecation` and a successor
 * `Link`). Rate class `ai` (20 requests a minute) for the insights, `general` for the legacy reads.
 * Stack `Routes-insights`.
 *
 * Access: model routes read and write the table and the tenant's blobs (uploaded CSVs, trained
 * trees); training starts a Step Functions execution (`workflows: "start"`); the findings routes
 * and the legacy reads only read the table (the network listing also reads the gateways' shadows).
 */
import { type RouteDef, rows } from "#shared/kit/route.ts";

const row = rows({ surface: "securenet", base: "/api/insights", rateClass: "ai" });
const legacy = rows({ surface: "securenet", rateClass: "general" });
const RO = { table: "RO" } as const;
const SINCE = "2026-11-30";

export const insightsRoutes: RouteDef[] = [
  row({
    method: "GET",
    path: "/models",
    handler: "functions/securenet/insights/models.ts",
    permission: "insights:read",
    access: RO,
  }),
  row({
    method: "POST",
    path: "/models/train",
    handler: "functions/securenet/insights/train.ts",
    permission: "insights:write",
    access: { table: "RW", workflows: "start" },
    audit: { event: "Model Training Started", eventType: "model_training_started" },
  }),
  row({
    method: "POST",
    path: "/models/{model_id}/predict",
    handler: "functions/securenet/insights/predict.ts",
    permission: "insights:read",
    access: { table: "RO", blobs: "RO" },
    changesNothing: true,
  }),
  row({
    method: "POST",
    path: "/models/upload-training-data",
    handler: "functions/securenet/insights/upload-training-data.ts",
    permission: "insights:write",
    access: { table: "RW", blobs: "RW" },
    audit: { event: "Training Data Uploaded", eventType: "training_data_uploaded" },
    body: "multipart",
  }),
  row({
    method: "POST",
    path: "/summary",
    handler: "functions/securenet/insights/summary.ts",
    permission: "insights:read",
    access: { ...RO, summariserModel: true },
    changesNothing: true,
  }),
  row({
    method: "POST",
    path: "/threat-analysis",
    handler: "functions/securenet/insights/threat-analysis.ts",
    permission: "insights:read",
    access: RO,
    changesNothing: true,
  }),
  row({
    method: "GET",
    path: "/recommendations",
    handler: "functions/securenet/insights/recommendations.ts",
    permission: "insights:read",
    access: RO,
  }),
  legacy({
    method: "GET",
    path: "/api/logs",
    handler: "functions/securenet/legacy/logs.ts",
    permission: "audit:read",
    access: RO,
    deprecated: { since: SINCE, successor: "/cloud-integration/security/audit/logs" },
  }),
  legacy({
    method: "GET",
    path: "/api/anomalies",
    handler: "functions/securenet/legacy/anomalies.ts",
    permission: "insights:read",
    access: RO,
    deprecated: { since: SINCE, successor: "/api/insights/threat-analysis" },
  }),
  legacy({
    method: "GET",
    path: "/api/network",
    handler: "functions/securenet/legacy/network.ts",
    permission: "gateways:read",
    access: { ...RO, iotShadowsRead: true },
    deprecated: { since: SINCE, successor: "/cloud-integration/security/gateways" },
  }),
  legacy({
    method: "GET",
    path: "/api/notifications",
    handler: "functions/securenet/legacy/notifications.ts",
    permission: "authenticated",
    access: RO,
    deprecated: { since: SINCE, successor: "/ws/notifications" },
  }),
];
