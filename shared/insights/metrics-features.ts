/**
 * The features a gateway's metrics sample gives (edge/contract.ts `metrics`): what a model trained
 * on the tenant's own gateway metrics is fitted on, and what ingest scores. A model trained on an
 * uploaded CSV scores ingested samples only when its columns are among these names.
 */
export const METRICS_FEATURES = ["cpu_usage", "memory_usage", "load_avg_1m"] as const;

const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

/** A stored metrics sample's feature values, by name (a value the gateway did not send is absent). */
export function metricsFeatureValues(sample: Record<string, unknown>): Record<string, number> {
  const cpu = (sample.cpu ?? {}) as Record<string, unknown>;
  const memory = (sample.memory ?? {}) as Record<string, unknown>;
  const out: Record<string, number> = {};
  const put = (name: string, v: number | undefined) => {
    if (v !== undefined) out[name] = v;
  };
  put("cpu_usage", num(cpu.usage_percent));
  put("memory_usage", num(memory.usage_percent));
  put("load_avg_1m", num(cpu.load_avg_1m));
  return out;
}
