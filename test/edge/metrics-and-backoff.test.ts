import { describe, expect, it } from "vitest";
import { MetricsEventSchema } from "#edge/contract.ts";
import { createMetricsSampler, diskTotals, networkTotals, type OsProbe } from "#edge/metrics.ts";
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

const netDev = (ethRx: number, ethTx: number) =>
  [
    "Inter-|   Receive                                                |  Transmit",
    " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed",
    `    lo: 9000000 100 0 0 0 0 0 0 9000000 100 0 0 0 0 0 0`,
    `  eth0: ${ethRx} 10 0 0 0 0 0 0 ${ethTx} 10 0 0 0 0 0 0`,
    `  wlan0: 1000 1 0 0 0 0 0 0 500 1 0 0 0 0 0 0`,
  ].join("\n");
const diskStats = (sdaRead: number, sdaWritten: number) =>
  [
    `   7       0 loop0 5 0 999 0 0 0 999 0 0 0 0 0 0`,
    `   8       0 sda 10 0 ${sdaRead} 0 10 0 ${sdaWritten} 0 0 0 0 0 0`,
    `   8       1 sda1 10 0 ${sdaRead} 0 10 0 ${sdaWritten} 0 0 0 0 0 0`,
    ` 259       0 nvme0n1 1 0 8 0 1 0 8 0 0 0 0 0 0`,
    ` 259       1 nvme0n1p1 1 0 8 0 1 0 8 0 0 0 0 0 0`,
  ].join("\n");
const tcpTable = [
  "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
  "   0: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0",
  "   1: 0100007F:0016 0100007F:9C40 01 00000000:00000000 00:00000000 00000000     0        0 2 1 0 20 4 30 10 -1",
  "   2: 0100007F:0016 0100007F:9C41 01 00000000:00000000 00:00000000 00000000     0        0 3 1 0 20 4 30 10 -1",
].join("\n");

describe("network and disk metrics from /proc", () => {
  it("sums every interface but loopback, and whole disks but not their partitions or loop devices", () => {
    expect(networkTotals(netDev(2000, 3000))).toEqual({ rx: 3000, tx: 3500 });
    expect(diskTotals(diskStats(100, 50))).toEqual({ read: (100 + 8) * 512, written: (50 + 8) * 512 });
  });

  it("reports traffic, disk rates and open TCP connections between two samples, none on the first", () => {
    const readings = [
      { net: netDev(1_000_000, 2_000_000), disk: diskStats(1000, 2000) },
      { net: netDev(1_600_000, 12_000_000), disk: diskStats(3000, 2000) },
    ];
    let n = 0;
    const base = probe([[{ busy: 1, idle: 1 }]]);
    const sample = createMetricsSampler({
      ...base,
      proc: (path) => {
        const r = readings[Math.min(n, readings.length - 1)];
        if (path === "/proc/net/dev") return r?.net;
        if (path === "/proc/diskstats") {
          n += 1;
          return r?.disk;
        }
        return path === "/proc/net/tcp" ? tcpTable : undefined;
      },
    });

    const first = sample(new Date("2025-03-15T10:00:00Z"));
    const second = sample(new Date("2025-03-15T10:00:10Z"));

    expect(first.network).toBeUndefined();
    expect(first.disk).toBeUndefined();
    expect(second.network).toEqual({
      interval_seconds: 10,
      rx_bytes: 600_000,
      tx_bytes: 10_000_000,
      rx_bytes_per_s: 60_000,
      tx_bytes_per_s: 1_000_000,
      established_connections: 2,
    });
    expect(second.disk).toEqual({ read_bytes_per_s: (2000 * 512) / 10, write_bytes_per_s: 0 });
    expect(MetricsEventSchema.safeParse(second).success).toBe(true);
  });

  it("gives no traffic figure for an interval in which a counter went backwards (an interface reset)", () => {
    let n = 0;
    const nets = [netDev(5_000, 5_000), netDev(100, 200)];
    const sample = createMetricsSampler({
      ...probe([[{ busy: 1, idle: 1 }]]),
      proc: (path) => (path === "/proc/net/dev" ? nets[Math.min(n++, 1)] : undefined),
    });
    sample(new Date("2025-03-15T10:00:00Z"));
    expect(sample(new Date("2025-03-15T10:00:10Z")).network).toBeUndefined();
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
