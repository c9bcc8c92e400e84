/**
 * The features a gateway's metrics sample gives (edge/contract.ts `metrics`): what a model trained
 * on the tenant's own gateway metrics is fitted on, and what ingest scores. A model trained on an
 * uploaded CSV scores ingested samples only when its columns are among these names.
 *
 * Every sample carries the base features. The traffic, connection and disk features come from
 * /proc between two samples, and the failed-login and firewall-drop counts from the auth and
 * firewall logs the edge follows, between the same two samples, as rates per minute over that
 * interval (so gateways sampling every 60 s and every 300 s, or one whose interval changed, give
 * comparable figures; a count without its interval gives no feature). So
 * a gateway's first sample after a start, an older edge, one without /proc or one not following
 * a log lacks them: a model trained on the tenant's metrics uses an optional feature only
 * when (nearly) every sample has it (`trainingFeatures`), and ingest scores a sample only when it
 * carries all of its model's features.
 */
export const BASE_METRICS_FEATURES = ["cpu_usage", "memory_usage", "load_avg_1m"] as const;
export const OPTIONAL_METRICS_FEATURES = [
  "net_rx_bytes_per_s",
  "net_tx_bytes_per_s",
  "net_connections",
  "disk_read_bytes_per_s",
  "disk_write_bytes_per_s",
  "failed_logins_per_min",
  "firewall_drops_per_min",
] as const;
export const METRICS_FEATURES = [...BASE_METRICS_FEATURES, ...OPTIONAL_METRICS_FEATURES] as const;

/** Share of samples that must carry an optional feature for a model to be trained on it. */
export const OPTIONAL_FEATURE_COVERAGE = 0.95;

/** The features a model is trained on, given the samples' feature values. */
export function trainingFeatures(samples: Record<string, number>[]): string[] {
  const based = samples.filter((v) => BASE_METRICS_FEATURES.every((f) => f in v));
  const optional = OPTIONAL_METRICS_FEATURES.filter(
    (f) => based.length > 0 && based.filter((v) => f in v).length / based.length >= OPTIONAL_FEATURE_COVERAGE,
  );
  return [...BASE_METRICS_FEATURES, ...optional];
}

const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

/** A stored metrics sample's feature values, by name (a value the gateway did not send is absent). */
export function metricsFeatureValues(sample: Record<string, unknown>): Record<string, number> {
  const cpu = (sample.cpu ?? {}) as Record<string, unknown>;
  const memory = (sample.memory ?? {}) as Record<string, unknown>;
  const network = (sample.network ?? {}) as Record<string, unknown>;
  const disk = (sample.disk ?? {}) as Record<string, unknown>;
  const events = (sample.events ?? {}) as Record<string, unknown>;
  const out: Record<string, number> = {};
  const put = (name: string, v: number | undefined) => {
    if (v !== undefined) out[name] = v;
  };
  put("cpu_usage", num(cpu.usage_percent));
  put("memory_usage", num(memory.usage_percent));
  put("load_avg_1m", num(cpu.load_avg_1m));
  put("net_rx_bytes_per_s", num(network.rx_bytes_per_s));
  put("net_tx_bytes_per_s", num(network.tx_bytes_per_s));
  put("net_connections", num(network.established_connections));
  put("disk_read_bytes_per_s", num(disk.read_bytes_per_s));
  put("disk_write_bytes_per_s", num(disk.write_bytes_per_s));
  const minutes = (num(events.interval_seconds) ?? 0) / 60;
  const perMinute = (count: unknown) => {
    const n = num(count);
    return n !== undefined && minutes > 0 ? Math.round((n / minutes) * 1000) / 1000 : undefined;
  };
  put("failed_logins_per_min", perMinute(events.failed_logins));
  put("firewall_drops_per_min", perMinute(events.firewall_drops));
  return out;
}
