/**
 * System metrics from node:os. CPU usage is the busy share of CPU time since the previous sample
 * (since boot for the first one), so each sampler keeps its own previous reading.
 */
import os from "node:os";
import type { MetricsEvent } from "./contract.ts";

export interface OsProbe {
  cpus(): { times: { user: number; nice: number; sys: number; idle: number; irq: number } }[];
  loadavg(): number[];
  totalmem(): number;
  freemem(): number;
  uptime(): number;
}

interface CpuTotals {
  busy: number;
  total: number;
}

function totals(cpus: ReturnType<OsProbe["cpus"]>): CpuTotals {
  let busy = 0;
  let total = 0;
  for (const { times } of cpus) {
    const sum = times.user + times.nice + times.sys + times.idle + times.irq;
    total += sum;
    busy += sum - times.idle;
  }
  return { busy, total };
}

const round = (n: number) => Math.round(n * 10) / 10;

export function createMetricsSampler(probe: OsProbe = os): (now: Date) => MetricsEvent {
  let previous: CpuTotals = { busy: 0, total: 0 };
  return (now) => {
    const cpus = probe.cpus();
    const current = totals(cpus);
    const elapsed = current.total - previous.total;
    const usage = elapsed > 0 ? ((current.busy - previous.busy) / elapsed) * 100 : 0;
    previous = current;
    const [one = 0, five = 0, fifteen = 0] = probe.loadavg();
    const total = probe.totalmem();
    const free = probe.freemem();
    return {
      type: "metrics",
      timestamp: now.toISOString(),
      cpu: {
        cores: cpus.length,
        usage_percent: round(usage),
        load_avg_1m: one,
        load_avg_5m: five,
        load_avg_15m: fifteen,
      },
      memory: {
        total_bytes: total,
        free_bytes: free,
        used_bytes: total - free,
        usage_percent: total > 0 ? round(((total - free) / total) * 100) : 0,
      },
      uptime_seconds: Math.round(probe.uptime()),
    };
  };
}
