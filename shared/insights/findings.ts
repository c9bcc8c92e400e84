/**
 * Findings from a tenant's own records, by documented rules — the facts that `summary`,
 * `threat-analysis` and `recommendations` are written from. Every finding cites the records it
 * came from (ids where records have ids, counts always); with no records, there are no findings
 * and the answers say so. Nothing here guesses.
 *
 * Sources, over the window asked for (the baseline is the window of the same length before it):
 *   audit trail (shared/audit): failed sign-ins, brute-force and credential-stuffing blocks (the
 *     identity area's trips are audited), refused requests, after-hours actions;
 *   firewall log lines the gateways report (shared/fleet): blocks (DROP/REJECT) per source;
 *   anomalies the active model found in ingested gateway metrics (scoring.ts);
 *   the tenant's users (shared/identity): admins without a second factor (a posture finding).
 *
 * Rules (thresholds are constants below):
 *   failed_login_spike     ≥ 10 failed sign-ins in the window and ≥ 3× the baseline's count
 *                          (any count ≥ 10 when the baseline had none). high; critical at ≥ 10×.
 *   brute_force_blocks     ≥ 1 IP blocked for brute force or credential stuffing. high.
 *   after_hours_activity   ≥ 5 actions by people (not the system) between 22:00 and 06:00 UTC,
 *                          and they are ≥ 30 % of people's actions in the window. medium.
 *   repeated_blocks        one source address blocked ≥ 20 times by the gateways' firewalls in the
 *                          newest 1,000 block lines of the window. medium; high at ≥ 100.
 *   access_denied_burst    ≥ 10 refused (403) requests in the window. medium.
 *   metric_anomalies       ≥ 1 anomaly found in gateway metrics. medium; high at ≥ 10 or any with
 *                          confidence ≥ 0.96.
 *   admins_without_mfa     ≥ 1 active admin without a second factor. medium.
 *   exfiltration_like_egress  a gateway sent ≥ 50 MiB in the window, ≥ 4× what it received, and
 *                          ≥ 3× what it sent in the baseline (any amount when the baseline had no
 *                          traffic figures). From the traffic each metrics sample reports since the
 *                          previous one (edge/metrics.ts, /proc/net/dev). high; critical at ≥ 10×
 *                          the baseline and ≥ 1 GiB. Cites the samples with the most bytes sent.
 *   gateway_ssh_failed_logins  a gateway counted ≥ 10 failed SSH logins in the window (the metrics
 *                          samples' `events.failed_logins`, edge/metrics.ts) and ≥ 3× its count in the
 *                          baseline (any count ≥ 10 when the baseline had none or no figures). high;
 *                          critical at ≥ 100 and ≥ 10× the baseline. Cites the samples with the most.
 *                          The model can miss such a burst when nothing else rises with it; this
 *                          rule does not.
 *   gateway_scan_failures  the tenant's latest finished gateway security scan (shared/scans) has
 *                          failed checks of medium severity or more: a posture finding (true until
 *                          the next scan), severity the highest failed check's, confidence 1.
 *                          Cites the scan and each failed check.
 * `confidence` of a finding: count / (count + threshold) — 0.5 at the threshold, rising towards 1
 * as the evidence grows; for anomalies the highest anomaly confidence; for posture findings 1 (a
 * fact, not an inference).
 * Gateways whose edge predates the traffic figures, or whose samples lack them, simply give this
 * rule nothing to read (it never infers traffic from anything else).
 */
import { readAudit } from "#shared/audit/trail.ts";
import { firewallLogs } from "#shared/fleet/firewall-log.ts";
import { gatewayMetricsSince } from "#shared/fleet/ingest.ts";
import { listUserSummaries } from "#shared/identity/users.ts";
import { latestFinishedScan } from "#shared/scans/scans.ts";
import { anomaliesBetween } from "./db/anomalies.ts";

export type Severity = "low" | "medium" | "high" | "critical";
export type Source = "audit" | "firewall" | "anomalies" | "users" | "metrics" | "scans";

export interface Finding {
  rule: string;
  severity: Severity;
  confidence: number;
  title: string;
  description: string;
  /** What the finding is about: IP addresses, gateway ids (`gateway/7`), usernames. */
  affected: string[];
  evidence: { source: Source; count: number; record_ids: string[] };
  first_seen: string | null;
  last_seen: string | null;
}

export interface Findings {
  period: { start: string; end: string; hours: number };
  findings: Finding[];
  /** How many records each source held in the window: what "no data" means. */
  records: { audit: number; firewall_blocks: number; anomalies: number; metrics_samples: number };
}

const FAILED_LOGIN_MIN = 10;
const SPIKE_RATIO = 3;
const AFTER_HOURS_MIN = 5;
const AFTER_HOURS_SHARE = 0.3;
const BLOCKS_PER_SOURCE_MIN = 20;
const ACCESS_DENIED_MIN = 10;
const MAX_CITED = 20;
const EGRESS_MIN_BYTES = 50 * 1024 ** 2;
const EGRESS_CRITICAL_BYTES = 1024 ** 3;
const EGRESS_RATIO = 4;
/** Metrics samples read per window: a day of 1-minute samples from 14 gateways; more are not read. */
const METRICS_READ_MAX = 20_000;

const confidenceOf = (count: number, threshold: number) => Math.round((count / (count + threshold)) * 100) / 100;
const afterHours = (iso: string) => {
  const h = new Date(iso).getUTCHours();
  return h >= 22 || h < 6;
};
const span = (times: string[]) => {
  const sorted = times.slice().sort();
  return { first_seen: sorted[0] ?? null, last_seen: sorted[sorted.length - 1] ?? null };
};

export async function collectFindings(tenantId: string, hours: number, now = new Date()): Promise<Findings> {
  const from = new Date(now.getTime() - hours * 3_600_000);
  const baselineFrom = new Date(from.getTime() - hours * 3_600_000);
  const [audit, baseline, blocks, anomalies, users, metrics, metricsBefore, scan] = await Promise.all([
    readAudit(tenantId, from, now),
    readAudit(tenantId, baselineFrom, from),
    firewallLogs(tenantId, { hours, action: "DROP", limit: 1000 }, now),
    anomaliesBetween(tenantId, from.toISOString(), now.toISOString()),
    listUserSummaries(tenantId, { limit: 10_000 }),
    gatewayMetricsSince(tenantId, from, now, METRICS_READ_MAX),
    gatewayMetricsSince(tenantId, baselineFrom, from, METRICS_READ_MAX),
    latestFinishedScan(tenantId),
  ]);
  const findings: Finding[] = [];

  const failed = audit.filter((r) => r.event_type === "login_failed");
  const failedBefore = baseline.filter((r) => r.event_type === "login_failed").length;
  if (failed.length >= FAILED_LOGIN_MIN && failed.length >= SPIKE_RATIO * failedBefore) {
    const ratio = failedBefore === 0 ? Number.POSITIVE_INFINITY : failed.length / failedBefore;
    const ips = [...new Set(failed.map((r) => r.ip_address).filter((ip): ip is string => !!ip))];
    findings.push({
      rule: "failed_login_spike",
      severity: ratio >= 10 ? "critical" : "high",
      confidence: confidenceOf(failed.length, FAILED_LOGIN_MIN),
      title: "Spike in failed sign-ins",
      description: `${failed.length} failed sign-ins in the last ${hours} h against ${failedBefore} in the ${hours} h before`,
      affected: ips.slice(0, MAX_CITED),
      evidence: { source: "audit", count: failed.length, record_ids: failed.slice(0, MAX_CITED).map((r) => r.id) },
      ...span(failed.map((r) => r.timestamp)),
    });
  }

  const trips = audit.filter(
    (r) => r.event_type === "brute_force_ip_blocked" || r.event_type === "credential_stuffing",
  );
  if (trips.length > 0) {
    const ips = [...new Set(trips.map((r) => String(r.details.ip ?? r.ip_address ?? "")).filter(Boolean))];
    findings.push({
      rule: "brute_force_blocks",
      severity: "high",
      confidence: 1,
      title: "Addresses blocked for brute force or credential stuffing",
      description: `${trips.length} block(s) of ${ips.length} address(es) by the sign-in defences`,
      affected: ips.slice(0, MAX_CITED),
      evidence: { source: "audit", count: trips.length, record_ids: trips.slice(0, MAX_CITED).map((r) => r.id) },
      ...span(trips.map((r) => r.timestamp)),
    });
  }

  const people = audit.filter((r) => r.user !== "system" && r.user !== "anonymous" && r.status === "success");
  const late = people.filter((r) => afterHours(r.timestamp));
  if (late.length >= AFTER_HOURS_MIN && late.length >= AFTER_HOURS_SHARE * people.length) {
    findings.push({
      rule: "after_hours_activity",
      severity: "medium",
      confidence: confidenceOf(late.length, AFTER_HOURS_MIN),
      title: "Activity outside working hours",
      description: `${late.length} of ${people.length} actions by people were between 22:00 and 06:00 UTC`,
      affected: [...new Set(late.map((r) => r.user))].slice(0, MAX_CITED),
      evidence: { source: "audit", count: late.length, record_ids: late.slice(0, MAX_CITED).map((r) => r.id) },
      ...span(late.map((r) => r.timestamp)),
    });
  }

  const denied = audit.filter((r) => r.event_type === "access_denied");
  if (denied.length >= ACCESS_DENIED_MIN) {
    findings.push({
      rule: "access_denied_burst",
      severity: "medium",
      confidence: confidenceOf(denied.length, ACCESS_DENIED_MIN),
      title: "Many refused requests",
      description: `${denied.length} requests were refused for lack of permission`,
      affected: [...new Set(denied.map((r) => r.user))].slice(0, MAX_CITED),
      evidence: { source: "audit", count: denied.length, record_ids: denied.slice(0, MAX_CITED).map((r) => r.id) },
      ...span(denied.map((r) => r.timestamp)),
    });
  }

  const bySource = new Map<string, { count: number; gateways: Set<number>; times: string[] }>();
  for (const l of blocks.lines) {
    const s = bySource.get(l.sourceIp) ?? { count: 0, gateways: new Set<number>(), times: [] };
    s.count++;
    s.gateways.add(l.gatewayId);
    s.times.push(l.timestamp);
    bySource.set(l.sourceIp, s);
  }
  for (const [ip, s] of [...bySource].sort((a, b) => b[1].count - a[1].count)) {
    if (s.count < BLOCKS_PER_SOURCE_MIN) break;
    findings.push({
      rule: "repeated_blocks",
      severity: s.count >= 100 ? "high" : "medium",
      confidence: confidenceOf(s.count, BLOCKS_PER_SOURCE_MIN),
      title: `Repeated blocks from ${ip}`,
      description: `${ip} was blocked ${s.count} times by the firewall of ${s.gateways.size} gateway(s)`,
      affected: [ip, ...[...s.gateways].map((g) => `gateway/${g}`)],
      evidence: { source: "firewall", count: s.count, record_ids: [] },
      ...span(s.times),
    });
  }

  if (anomalies.length > 0) {
    const top = Math.max(...anomalies.map((a) => a.confidence));
    findings.push({
      rule: "metric_anomalies",
      severity: anomalies.length >= 10 || top >= 0.96 ? "high" : "medium",
      confidence: top,
      title: "Anomalous gateway metrics",
      description: `${anomalies.length} metrics sample(s) scored anomalous by the active model`,
      affected: [...new Set(anomalies.map((a) => `gateway/${a.gatewayId}`))],
      evidence: {
        source: "anomalies",
        count: anomalies.length,
        record_ids: anomalies.slice(0, MAX_CITED).map((a) => a.id),
      },
      ...span(anomalies.map((a) => a.timestamp)),
    });
  }

  const admins = users.users.filter(
    (u) => u.user.role === "admin" && u.status === "active" && !u.user.twoFactorEnabled,
  );
  if (admins.length > 0) {
    findings.push({
      rule: "admins_without_mfa",
      severity: "medium",
      confidence: 1,
      title: "Admins without a second factor",
      description: `${admins.length} active admin account(s) sign in with a password alone`,
      affected: admins.map((u) => u.user.username).slice(0, MAX_CITED),
      evidence: {
        source: "users",
        count: admins.length,
        record_ids: admins.map((u) => `user/${u.user.id}`).slice(0, MAX_CITED),
      },
      first_seen: null,
      last_seen: null,
    });
  }

  findings.push(...egressFindings(metrics, metricsBefore, from, hours));
  findings.push(...sshFailureFindings(metrics, metricsBefore, from, hours));
  if (scan) findings.push(...scanFindings(scan));

  const order: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3 };
  findings.sort((a, b) => order[a.severity] - order[b.severity] || b.evidence.count - a.evidence.count);
  return {
    period: { start: from.toISOString(), end: now.toISOString(), hours },
    findings,
    records: {
      audit: audit.length,
      firewall_blocks: blocks.lines.length,
      anomalies: anomalies.length,
      metrics_samples: metrics.length,
    },
  };
}

type Scan = NonNullable<Awaited<ReturnType<typeof latestFinishedScan>>>;
const SCAN_SEVERITY: Record<string, number> = { low: 0, medium: 1, high: 2, critical: 3 };

function scanFindings(scan: Scan): Finding[] {
  const failed = Object.entries(scan.results).flatMap(([component, r]) =>
    r.checks
      .filter((c) => c.status === "fail" && (SCAN_SEVERITY[c.severity] ?? 0) >= 1)
      .map((c) => ({ component, ...c })),
  );
  if (failed.length === 0) return [];
  failed.sort((a, b) => (SCAN_SEVERITY[b.severity] ?? 0) - (SCAN_SEVERITY[a.severity] ?? 0));
  const worst = failed[0]?.severity as Severity;
  return [
    {
      rule: "gateway_scan_failures",
      severity: worst,
      confidence: 1,
      title: "Failed checks in the latest security scan",
      description: `the security scan ${scan.scanId} failed ${failed.length} check(s): ${failed
        .slice(0, 5)
        .map((c) => `${c.component}.${c.check} (${c.severity})`)
        .join(", ")}${failed.length > 5 ? ", …" : ""}`,
      affected: failed.slice(0, MAX_CITED).map((c) => `check/${c.component}.${c.check}`),
      evidence: {
        source: "scans",
        count: failed.length,
        record_ids: [`scan/${scan.scanId}`],
      },
      first_seen: scan.startedAt,
      last_seen: scan.finishedAt,
    },
  ];
}

type MetricsSample = Awaited<ReturnType<typeof gatewayMetricsSince>>[number];

/** Bytes received and sent in the interval a sample reports, when it reports one. */
function trafficOf(s: MetricsSample): { rx: number; tx: number } | undefined {
  const n = s.sample.network as { rx_bytes?: unknown; tx_bytes?: unknown } | undefined;
  return typeof n?.rx_bytes === "number" && typeof n.tx_bytes === "number"
    ? { rx: n.rx_bytes, tx: n.tx_bytes }
    : undefined;
}

/** One gateway's figure over a window: its total and the samples that reported it. */
interface GatewayFigure {
  total: number;
  samples: { s: MetricsSample; value: number }[];
}

/**
 * A figure the metrics samples report (bytes sent, failed SSH logins), summed per gateway over the
 * samples that report it (`read` answers undefined for the others).
 */
function perGateway(samples: MetricsSample[], read: (s: MetricsSample) => number | undefined) {
  const byGateway = new Map<number, GatewayFigure>();
  for (const s of samples) {
    const value = read(s);
    if (value === undefined) continue;
    const g = byGateway.get(s.gateway_id) ?? { total: 0, samples: [] };
    g.total += value;
    g.samples.push({ s, value });
    byGateway.set(s.gateway_id, g);
  }
  return byGateway;
}

/** The baseline's figure per gateway: its samples before the window only. */
const baselinePerGateway = (baseline: MetricsSample[], from: Date, read: (s: MetricsSample) => number | undefined) =>
  perGateway(
    baseline.filter((s) => s.timestamp < from.toISOString()),
    read,
  );

/** What a per-gateway metrics finding cites: the samples with the largest figure, and the span of all. */
function metricsEvidence(gatewayId: number, g: GatewayFigure, count: number) {
  const cited = g.samples
    .slice()
    .sort((a, b) => b.value - a.value)
    .slice(0, MAX_CITED);
  return {
    affected: [`gateway/${gatewayId}`],
    evidence: {
      source: "metrics" as const,
      count,
      record_ids: cited.map((c) => `metrics/${gatewayId}/${c.s.timestamp}`),
    },
    ...span(g.samples.map((c) => c.s.timestamp)),
  };
}

function egressFindings(window: MetricsSample[], baseline: MetricsSample[], from: Date, hours: number): Finding[] {
  const sentBefore = baselinePerGateway(baseline, from, (s) => trafficOf(s)?.tx);
  const received = perGateway(window, (s) => trafficOf(s)?.rx);
  const out: Finding[] = [];
  const mib = (b: number) => `${Math.round((b / 1024 ** 2) * 10) / 10} MiB`;
  for (const [gatewayId, sent] of perGateway(window, (s) => trafficOf(s)?.tx)) {
    const tx = sent.total;
    const rx = received.get(gatewayId)?.total ?? 0;
    const before = sentBefore.get(gatewayId)?.total;
    const ratio = rx > 0 ? tx / rx : Number.POSITIVE_INFINITY;
    const growth = before ? tx / before : Number.POSITIVE_INFINITY;
    if (tx < EGRESS_MIN_BYTES || ratio < EGRESS_RATIO || growth < SPIKE_RATIO) continue;
    out.push({
      rule: "exfiltration_like_egress",
      severity: growth >= 10 && tx >= EGRESS_CRITICAL_BYTES ? "critical" : "high",
      confidence: confidenceOf(Math.min(ratio, growth), EGRESS_RATIO),
      title: `Unusual outbound traffic from gateway ${gatewayId}`,
      description:
        `gateway ${gatewayId} sent ${mib(tx)} and received ${mib(rx)} in the last ${hours} h` +
        (before ? `, against ${mib(before)} sent in the ${hours} h before` : ", with no traffic figures before"),
      ...metricsEvidence(gatewayId, sent, sent.samples.length),
    });
  }
  return out;
}

/** Failed SSH logins the edge counted in the interval a sample reports, when it reports them. */
function sshFailuresOf(s: MetricsSample): number | undefined {
  const e = s.sample.events as { failed_logins?: unknown } | undefined;
  return typeof e?.failed_logins === "number" ? e.failed_logins : undefined;
}

function sshFailureFindings(window: MetricsSample[], baseline: MetricsSample[], from: Date, hours: number): Finding[] {
  const before = baselinePerGateway(baseline, from, sshFailuresOf);
  const out: Finding[] = [];
  // Samples that counted none are not evidence (nor part of the span).
  for (const [gatewayId, g] of perGateway(window, (s) => sshFailuresOf(s) || undefined)) {
    const prior = before.get(gatewayId)?.total ?? 0;
    const growth = prior === 0 ? Number.POSITIVE_INFINITY : g.total / prior;
    if (g.total < FAILED_LOGIN_MIN || growth < SPIKE_RATIO) continue;
    out.push({
      rule: "gateway_ssh_failed_logins",
      severity: g.total >= 10 * FAILED_LOGIN_MIN && growth >= 10 ? "critical" : "high",
      confidence: confidenceOf(g.total, FAILED_LOGIN_MIN),
      title: `Failed SSH logins on gateway ${gatewayId}`,
      description: `gateway ${gatewayId} counted ${g.total} failed SSH logins in the last ${hours} h against ${prior} in the ${hours} h before`,
      ...metricsEvidence(gatewayId, g, g.total),
    });
  }
  return out;
}

/** The highest severity among findings ("low" when there are none). */
export function riskOf(findings: readonly Finding[]): Severity {
  for (const s of ["critical", "high", "medium"] as const) if (findings.some((f) => f.severity === s)) return s;
  return "low";
}
