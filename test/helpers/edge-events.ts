/** Events as a gateway's edge publishes them (edge/contract.ts), for tests and benches that ingest them. */

/**
 * A `metrics` sample of a 4-core gateway with 8 GB of memory: CPU and memory in percent, the
 * same load average over 1, 5 and 15 minutes; no network, disk or log-count blocks.
 */
export function metricsSample(cpu: number, memory: number, load: number, at = new Date()) {
  return {
    type: "metrics",
    timestamp: at.toISOString(),
    cpu: { cores: 4, usage_percent: cpu, load_avg_1m: load, load_avg_5m: load, load_avg_15m: load },
    memory: {
      total_bytes: 8e9,
      free_bytes: 8e9 * (1 - memory / 100),
      used_bytes: 8e9 * (memory / 100),
      usage_percent: memory,
    },
    uptime_seconds: 1000,
  };
}
