/** Insights' and the legacy routes' request schemas (securenet `/api/insights/*`, `/api/logs`…). Strict. */
import * as z from "zod/mini";
import { freeText } from "#shared/kit/text.ts";

const id = (prefix: string) =>
  z.string().check(z.regex(new RegExp(`^${prefix}_[0-9a-f]{12}$`), `must be an id this API issued (${prefix}_…)`));

/** POST /api/insights/models/train (`file_id` is beyond the spec: train on an uploaded CSV). */
export const TrainBody = z.strictObject({
  model_name: freeText({ min: 1, max: 100 }),
  model_type: z._default(z.literal("isolation_forest"), "isolation_forest"),
  parameters: z._default(
    z.strictObject({
      contamination: z.optional(
        z.union([z.literal("auto"), z.number().check(z.gt(0, "must be above 0"), z.lte(0.5, "must be at most 0.5"))]),
      ),
      n_estimators: z.optional(z.number().check(z.int(), z.gte(1), z.lte(500))),
      max_samples: z.optional(z.union([z.literal("auto"), z.number().check(z.int(), z.gte(2), z.lte(100_000))])),
    }),
    {},
  ),
  file_id: z.optional(id("file")),
});

export const ModelPath = z.strictObject({ model_id: id("model") });

/** One row to score: feature name → value (the model's features must be present; others are ignored). */
const featureName = z.string().check(z.regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, "must be a feature name"));
const PredictRow = z.record(featureName, z.number());

/** POST /api/insights/models/{model_id}/predict: at most 1,000 rows per call. */
export const PredictBody = z.strictObject({
  data: z.array(PredictRow).check(z.minLength(1), z.maxLength(1000)),
});

/** Summary and threat analysis look back over `time_range`: 1h…90d. */
export const TIME_RANGES = ["1h", "6h", "12h", "24h", "7d", "30d", "90d"] as const;
export const hoursOf = (range: (typeof TIME_RANGES)[number]): number =>
  range.endsWith("d") ? Number(range.slice(0, -1)) * 24 : Number(range.slice(0, -1));

/** POST /api/insights/summary. */
export const SummaryBody = z.strictObject({
  time_range: z._default(z.enum(TIME_RANGES), "24h"),
  log_types: z._default(
    z.array(z.enum(["error", "warning", "info", "security"])).check(z.minLength(1), z.maxLength(4)),
    ["error", "warning", "security"],
  ),
});

/** POST /api/insights/threat-analysis. */
export const ThreatAnalysisBody = z.strictObject({
  analysis_type: z._default(z.enum(["behavioral", "network", "authentication", "comprehensive"]), "behavioral"),
  time_range: z._default(z.enum(TIME_RANGES), "7d"),
  include_predictions: z._default(z.boolean(), true),
});

const limit = (max: number, dflt: number) => z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(max)), dflt);
const cursor = z.optional(z.string().check(z.maxLength(2048)));
const gatewayId = z.optional(z.coerce.number().check(z.int(), z.gte(1), z.lte(9_999_999_999)));
const hours = z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(720)), 24);

/** GET /api/anomalies (legacy). */
export const AnomaliesQuery = z.strictObject({ hours, limit: limit(200, 50), cursor, gateway_id: gatewayId });

/** GET /api/logs (legacy): audit records or gateway (firewall) log lines. */
export const LogsQuery = z.strictObject({
  type: z._default(z.enum(["audit", "gateway"]), "audit"),
  hours,
  limit: limit(500, 100),
  page: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(10_000)), 1),
  event_type: z.optional(z.string().check(z.regex(/^[a-z_]{1,64}$/, "must be an event type (snake_case)"))),
  status: z.optional(z.enum(["success", "failed"])),
  username: z.optional(freeText({ min: 1, max: 150 })),
  action: z.optional(z.enum(["DROP", "REJECT", "ACCEPT"])),
  gateway_id: gatewayId,
});

/** GET /api/notifications (legacy). */
export const NotificationsQuery = z.strictObject({ limit: limit(200, 50) });
