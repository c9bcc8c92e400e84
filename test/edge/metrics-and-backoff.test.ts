import { describe, expect, it } from "vitest";
import { AuthFailureTracker } from "#edge/auth-failures.ts";
import { type FirewallLogLine, MetricsEventSchema } from "#edge/contract.ts";
import { parseAuthFailureLine, parseFirewallLogLine } from "#edge/log-parsers.ts";
import { createMetricsSampler, diskTotals, LogEventCounts, networkTotals, type OsProbe } from "#edge/metrics.ts";
import { backoffDelay } from "#edge/mqtt-link.ts";
import { renderNftRuleset } from "#edge/render-nft.ts";
import { firewallDesired } from "./fixtures/desired.ts";

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

describe("failed logins and firewall drops per metrics interval", () => {
  const now = new Date("2025-03-15T12:00:00Z");
  const logPrefixes = {
    ...renderNftRuleset(firewallDesired(), { now }).logPrefixes,
    "WARDEN-R9-ACCEPT ": { rule_id: 9, rule_name: "Allow SSH", action: "ACCEPT" as const, reason: null },
  };
  const kernel = (prefix: string, src: string) =>
    `Mar 15 10:25:30 gw kernel: [1.0] ${prefix} IN=eth0 OUT= SRC=${src} DST=192.168.1.100 LEN=60 PROTO=TCP SPT=5000 DPT=23`;

  /** Feeds log text the way the edge does: firewall lines parsed, sshd lines through the failure tracker. */
  function feed(counts: LogEventCounts, tracker: AuthFailureTracker, firewall: string[], auth: string[]) {
    const parsed = firewall
      .map((l) => parseFirewallLogLine(l, logPrefixes, now))
      .filter((l): l is FirewallLogLine => l !== null);
    counts.addFirewallLines(parsed);
    for (const line of auth) {
      const failure = parseAuthFailureLine(line, now);
      if (failure && tracker.apply(failure)) counts.addFailedLogins(1);
    }
  }

  function sampler(counts: LogEventCounts) {
    return createMetricsSampler(probe([[{ busy: 1, idle: 1 }]]), counts);
  }

  it("counts the failed logins and dropped or rejected packets logged between two samples, none on the first", () => {
    // Arrange
    const counts = new LogEventCounts();
    counts.followAuthLog();
    counts.followFirewallLog();
    const tracker = new AuthFailureTracker();
    const sample = sampler(counts);
    // Before the first sample: seen, but that interval starts at the edge's start, so it is not reported.
    feed(
      counts,
      tracker,
      [kernel("WARDEN-R3-DROP", "203.0.113.1")],
      ["Mar 15 10:00:00 gw sshd[100]: Failed password for root from 203.0.113.9 port 40000 ssh2"],
    );
    const first = sample(new Date("2025-03-15T10:00:00Z"));
    // Between the first and the second sample: 3 failed logins (sshd logs the invalid user twice
    // and the closing line of a counted connection: still 1 for pid 201), 4 drops (2 DROP, 1
    // REJECT, 1 built-in), and lines that are neither (an accepted packet, a non-Warden kernel line).
    feed(
      counts,
      tracker,
      [
        kernel("WARDEN-R3-DROP", "203.0.113.5"),
        kernel("WARDEN-R3-DROP", "203.0.113.6"),
        kernel("MQTT-REJECT", "203.0.113.7"),
        kernel("WARDEN-BLOCKED-PORT", "203.0.113.8"),
        kernel("WARDEN-R9-ACCEPT", "192.168.1.50"),
        "Mar 15 10:25:31 gw kernel: [2.0] usb 1-1: new high-speed USB device",
      ],
      [
        "Mar 15 10:01:00 gw sshd[200]: Failed password for root from 203.0.113.9 port 40001 ssh2",
        "Mar 15 10:01:01 gw sshd[201]: Invalid user oracle from 203.0.113.77 port 40002",
        "Mar 15 10:01:02 gw sshd[201]: Failed password for invalid user oracle from 203.0.113.77 port 40002 ssh2",
        "Mar 15 10:01:03 gw sshd[201]: Connection closed by invalid user oracle 203.0.113.77 port 40002 [preauth]",
        "Mar 15 10:01:04 gw sshd[202]: Failed publickey for admin from 203.0.113.10 port 40003 ssh2",
        "Mar 15 10:01:05 gw sshd[203]: Accepted publickey for admin from 192.168.1.50 port 40004 ssh2",
      ],
    );

    // Act
    const second = sample(new Date("2025-03-15T10:01:00Z"));
    const third = sample(new Date("2025-03-15T10:02:00Z"));

    // Assert
    expect(first.events).toBeUndefined();
    expect(second.events).toEqual({ interval_seconds: 60, failed_logins: 3, firewall_drops: 4 });
    expect(MetricsEventSchema.safeParse(second).success).toBe(true);
    // Per interval, not since start: a quiet interval is zeros.
    expect(third.events).toEqual({ interval_seconds: 60, failed_logins: 0, firewall_drops: 0 });
  });

  it("sends no count for a log the edge does not follow, and no block when it follows none", () => {
    const authOnly = new LogEventCounts();
    authOnly.followAuthLog();
    authOnly.addFirewallLines([
      parseFirewallLogLine(kernel("WARDEN-R3-DROP", "203.0.113.5"), logPrefixes, now) as FirewallLogLine,
    ]);
    const sampleAuthOnly = sampler(authOnly);
    sampleAuthOnly(new Date("2025-03-15T10:00:00Z"));
    authOnly.addFailedLogins(2);
    expect(sampleAuthOnly(new Date("2025-03-15T10:00:30Z")).events).toEqual({ interval_seconds: 30, failed_logins: 2 });

    const none = new LogEventCounts();
    const sampleNone = sampler(none);
    sampleNone(new Date("2025-03-15T10:00:00Z"));
    expect(sampleNone(new Date("2025-03-15T10:00:30Z")).events).toBeUndefined();
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
