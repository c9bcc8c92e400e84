import { describe, expect, it } from "vitest";
import { MetricsEventSchema } from "#edge/contract.ts";
import { createMetricsSampler, type OsProbe } from "#edge/metrics.ts";
import { backoffDelay } from "#edge/mqtt-link.ts";

function probe(cpuTimes: { busy: number; idle: number }[][]): OsProbe {
  let call = 0;
  return {
    cpus: () => {
      const sample = cpuTimes[Math.min(call++, cpuTimes.length - 1)] ?? [];
      return sample.map(({ busy, idle }) => ({ times: { user: busy, nice: 0, sys: 0, idle, irq: 0 } }));
    },
    loadavg: () => [0.5, 0.25, 0.1],
    totalmem: () => 1000,
    freemem: () => 250,
    uptime: () => 3600.4,
  };
}

describe("metrics", () => {
  it("reports CPU usage since the previous sample, memory use and load, matching the contract", () => {
    // Two cores; between samples one core was fully busy and the other idle: 50 %.
    const sample = createMetricsSampler(
      probe([
        [
          { busy: 100, idle: 100 },
          { busy: 100, idle: 100 },
        ],
        [
          { busy: 200, idle: 100 },
          { busy: 100, idle: 200 },
        ],
      ]),
    );
    const now = new Date("2025-03-15T10:00:00Z");

    sample(now);
    const second = sample(now);

    expect(second.cpu.usage_percent).toBe(50);
    expect(second.cpu.cores).toBe(2);
    expect(second.memory).toEqual({ total_bytes: 1000, free_bytes: 250, used_bytes: 750, usage_percent: 75 });
    expect(second.cpu.load_avg_1m).toBe(0.5);
    expect(second.uptime_seconds).toBe(3600);
    expect(MetricsEventSchema.safeParse(second).success).toBe(true);
  });
});

describe("reconnect backoff", () => {
  const opts = { initialMs: 1000, maxMs: 60_000 };

  it("doubles per attempt within [half, full] of the ceiling", () => {
    expect(backoffDelay(0, opts, () => 0)).toBe(500);
    expect(backoffDelay(0, opts, () => 1)).toBe(1000);
    expect(backoffDelay(3, opts, () => 1)).toBe(8000);
  });

  it("never waits longer than the maximum, however many attempts failed", () => {
    expect(backoffDelay(50, opts, () => 1)).toBe(60_000);
    expect(backoffDelay(1000, opts, () => 0.5)).toBe(45_000);
  });
});
