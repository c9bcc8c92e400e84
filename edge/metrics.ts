/**
 * System metrics from node:os and Linux's /proc. CPU usage is the busy share of CPU time since the
 * previous sample (since boot for the first one), so each sampler keeps its own previous reading.
 *
 * Network and disk figures are counters since boot in /proc, so they are sent as what happened
 * between two samples: bytes received and sent on every interface but loopback (/proc/net/dev),
 * bytes read and written on whole disks (/proc/diskstats, 512-byte sectors), and the TCP
 * connections established now (/proc/net/tcp and tcp6, state 01). The first sample has no previous
 * reading and carries none of them (a since-boot total would look like one enormous interval); a
 * counter that went backwards (an interface reset) also gives no figure for that interval. Where
 * /proc is not readable (not Linux, a sandbox) the blocks are simply absent.
 *
 * The `events` block counts, the same way, what the edge saw in the logs it follows since the
 * previous sample: failed SSH logins and packets the firewall dropped or rejected (`LogEventCounts`,
 * fed by the log followers). Counts are per interval, never since start, and the first sample has none.
 */
import { readFileSync } from "node:fs";
import os from "node:os";
import type { FirewallLogLine, MetricsEvent } from "./contract.ts";

export interface OsProbe {
  cpus(): { times: { user: number; nice: number; sys: number; idle: number; irq: number } }[];
  loadavg(): number[];
  totalmem(): number;
  freemem(): number;
  uptime(): number;
  /** The text of a /proc file, or undefined when it cannot be read. */
  proc?(path: "/proc/net/dev" | "/proc/diskstats" | "/proc/net/tcp" | "/proc/net/tcp6"): string | undefined;
}

const readProc = (path: string): string | undefined => {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
};

const systemProbe: OsProbe = {
  cpus: () => os.cpus(),
  loadavg: () => os.loadavg(),
  totalmem: () => os.totalmem(),
  freemem: () => os.freemem(),
  uptime: () => os.uptime(),
  proc: readProc,
};

/** Bytes received and sent since boot over every interface but loopback. */
export function networkTotals(text: string): { rx: number; tx: number } {
  let rx = 0;
  let tx = 0;
  for (const line of text.split("\n").slice(2)) {
    const [name, rest] = line.split(":");
    if (rest === undefined || name === undefined || name.trim() === "lo") continue;
    const fields = rest.trim().split(/\s+/).map(Number);
    // receive: bytes packets errs drop fifo frame compressed multicast | transmit: bytes …
    rx += fields[0] ?? 0;
    tx += fields[8] ?? 0;
  }
  return { rx, tx };
}

/** Bytes read and written since boot on whole disks (not their partitions, not loop/ram devices). */
export function diskTotals(text: string): { read: number; written: number } {
  let read = 0;
  let written = 0;
  for (const line of text.split("\n")) {
    const f = line.trim().split(/\s+/);
    const name = f[2];
    if (!name || /^(loop|ram|zram|dm-)/.test(name)) continue;
    // A partition: sdaN, vdaN, xvdaN, nvme0n1pN, mmcblk0pN.
    if (/^(sd|vd|xvd|hd)[a-z]+\d+$/.test(name) || /^(nvme\d+n\d+|mmcblk\d+)p\d+$/.test(name)) continue;
    read += Number(f[5] ?? 0) * 512;
    written += Number(f[9] ?? 0) * 512;
  }
  return { read, written };
}

/** TCP connections in state ESTABLISHED (01) in a /proc/net/tcp or tcp6 table. */
export function establishedConnections(text: string): number {
  let n = 0;
  for (const line of text.split("\n").slice(1)) {
    if (line.trim().split(/\s+/)[3] === "01") n += 1;
  }
  return n;
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

interface Counters {
  at: number;
  net?: { rx: number; tx: number };
  disk?: { read: number; written: number };
}

const perSecond = (delta: number, seconds: number) => Math.round(delta / seconds);

/**
 * Failed SSH logins and firewall drops seen since the last `take()`. A count exists only for a log
 * the edge follows (`follow…` once its follower is attached), so "not followed" is never sent as 0.
 */
export class LogEventCounts {
  private failedLogins: number | undefined;
  private firewallDrops: number | undefined;

  followAuthLog() {
    this.failedLogins ??= 0;
  }

  followFirewallLog() {
    this.firewallDrops ??= 0;
  }

  /** Failed login attempts, as the auth-failure tracker counts them (one per attempt). */
  addFailedLogins(n: number) {
    if (this.failedLogins !== undefined) this.failedLogins += n;
  }

  /** Parsed firewall log lines: those of a DROP or REJECT rule are dropped packets. */
  addFirewallLines(lines: readonly FirewallLogLine[]) {
    if (this.firewallDrops === undefined) return;
    for (const line of lines) if (line.action === "DROP" || line.action === "REJECT") this.firewallDrops += 1;
  }

  /** The counts since the previous call (absent for logs not followed), and restart from zero. */
  take(): { failed_logins?: number; firewall_drops?: number } {
    const out = {
      ...(this.failedLogins !== undefined ? { failed_logins: this.failedLogins } : {}),
      ...(this.firewallDrops !== undefined ? { firewall_drops: this.firewallDrops } : {}),
    };
    if (this.failedLogins !== undefined) this.failedLogins = 0;
    if (this.firewallDrops !== undefined) this.firewallDrops = 0;
    return out;
  }
}

export function createMetricsSampler(
  probe: OsProbe = systemProbe,
  logEvents?: LogEventCounts,
): (now: Date) => MetricsEvent {
  let previous: CpuTotals = { busy: 0, total: 0 };
  let counters: Counters | undefined;
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
      ...ioFigures(now),
    };
  };

  function ioFigures(now: Date): Pick<MetricsEvent, "network" | "disk" | "events"> {
    const netText = probe.proc?.("/proc/net/dev");
    const diskText = probe.proc?.("/proc/diskstats");
    const current: Counters = {
      at: now.getTime(),
      ...(netText !== undefined ? { net: networkTotals(netText) } : {}),
      ...(diskText !== undefined ? { disk: diskTotals(diskText) } : {}),
    };
    const before = counters;
    counters = current;
    const out: Pick<MetricsEvent, "network" | "disk" | "events"> = {};
    // Always taken, so the first sample's interval (since start) is dropped, not carried over.
    const counted = logEvents?.take() ?? {};
    const seconds = before ? (current.at - before.at) / 1000 : 0;
    if (!before || seconds <= 0) return out;
    if (Object.keys(counted).length > 0) out.events = { interval_seconds: Math.round(seconds * 10) / 10, ...counted };
    if (current.net && before.net && current.net.rx >= before.net.rx && current.net.tx >= before.net.tx) {
      const tcp = [probe.proc?.("/proc/net/tcp"), probe.proc?.("/proc/net/tcp6")];
      const rx = current.net.rx - before.net.rx;
      const tx = current.net.tx - before.net.tx;
      out.network = {
        interval_seconds: Math.round(seconds * 10) / 10,
        rx_bytes: rx,
        tx_bytes: tx,
        rx_bytes_per_s: perSecond(rx, seconds),
        tx_bytes_per_s: perSecond(tx, seconds),
        ...(tcp.some((t) => t !== undefined)
          ? { established_connections: tcp.reduce((n, t) => n + (t ? establishedConnections(t) : 0), 0) }
          : {}),
      };
    }
    if (
      current.disk &&
      before.disk &&
      current.disk.read >= before.disk.read &&
      current.disk.written >= before.disk.written
    ) {
      out.disk = {
        read_bytes_per_s: perSecond(current.disk.read - before.disk.read, seconds),
        write_bytes_per_s: perSecond(current.disk.written - before.disk.written, seconds),
      };
    }
    return out;
  }
}
