/**
 * Metrics read models (securenet `/api/metrics/*`), computed from the tenant's real state across
 * areas. In a serverless platform the "system" a tenant runs is its gateway fleet: `system`
 * aggregates the cpu, memory and uptime the gateways report (the edge publishes metrics events;
 * the latest sample is on each gateway's item). Gateways report no disk or network figures yet,
 * and scans, vulnerabilities and compliance have no producer yet: those parts are `null` with
 * `status: "not_configured"`, never invented numbers. Anomalies are those the tenant's active
 * model found in ingested metrics (shared/insights/anomalies.ts), counted over the last 30 days.
 */
import { readAudit } from "#shared/audit/trail.ts";
import { usageSnapshot } from "#shared/billing/usage.ts";
import { readFirewallCounters } from "#shared/fleet/db/firewall-counters.ts";
import { type Gateway, listGateways } from "#shared/fleet/db/gateways.ts";
import { type AnomalyCounts, anomalyCounts } from "#shared/insights/anomalies.ts";
import { NotFound } from "#shared/kit/errors.ts";
import { securityStatus } from "./security-status.ts";

/** A gateway counts as online when it reported within this window (as the fleet routes say). */
export const ONLINE_WINDOW_MS = 5 * 60_000;
/** A reporting gateway whose cpu or memory use is at least this is counted as critical. */
export const CRITICAL_PERCENT = 90;

interface Sample {
  cpu?: { cores?: number; usage_percent?: number; load_avg_1m?: number; load_avg_5m?: number; load_avg_15m?: number };
  memory?: { total_bytes?: number; used_bytes?: number; free_bytes?: number; usage_percent?: number };
  uptime_seconds?: number;
}

const GB = 1024 ** 3;
const round1 = (n: number) => Math.round(n * 10) / 10;
const round2 = (n: number) => Math.round(n * 100) / 100;
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

export interface FleetSystem {
  gatewaysTotal: number;
  gatewaysReporting: number;
  cpu: { usagePercent: number | null; cores: number; loadAverage: [number, number, number] | null };
  memory: { totalGb: number | null; usedGb: number | null; availableGb: number | null; usagePercent: number | null };
  uptimeSeconds: number | null;
  sampledAt: string | null;
}

const sampleOf = (g: Gateway): Sample | undefined => g.lastMetrics as Sample | undefined;

export function aggregateSystem(gateways: Gateway[]): FleetSystem {
  const reporting = gateways.filter((g) => sampleOf(g)?.cpu || sampleOf(g)?.memory);
  const samples = reporting.map((g) => sampleOf(g) ?? {});
  const cpuPercents = samples.flatMap((s) => num(s.cpu?.usage_percent) ?? []);
  const loads = (k: "load_avg_1m" | "load_avg_5m" | "load_avg_15m") =>
    mean(samples.flatMap((s) => num(s.cpu?.[k]) ?? []));
  const l1 = loads("load_avg_1m");
  const l5 = loads("load_avg_5m");
  const l15 = loads("load_avg_15m");
  const totals = samples.flatMap((s) => num(s.memory?.total_bytes) ?? []);
  const used = samples.flatMap((s) => num(s.memory?.used_bytes) ?? []);
  const free = samples.flatMap((s) => num(s.memory?.free_bytes) ?? []);
  const total = totals.reduce((a, b) => a + b, 0);
  const usedSum = used.reduce((a, b) => a + b, 0);
  const uptimes = samples.flatMap((s) => num(s.uptime_seconds) ?? []);
  const times = reporting.flatMap((g) => g.lastSeen ?? []).sort();
  return {
    gatewaysTotal: gateways.length,
    gatewaysReporting: reporting.length,
    cpu: {
      usagePercent: cpuPercents.length ? round1(mean(cpuPercents) ?? 0) : null,
      cores: samples.reduce((a, s) => a + (num(s.cpu?.cores) ?? 0), 0),
      loadAverage: l1 !== null && l5 !== null && l15 !== null ? [round2(l1), round2(l5), round2(l15)] : null,
    },
    memory: {
      totalGb: totals.length ? round2(total / GB) : null,
      usedGb: used.length ? round2(usedSum / GB) : null,
      availableGb: free.length ? round2(free.reduce((a, b) => a + b, 0) / GB) : null,
      usagePercent: totals.length && total > 0 ? round1((usedSum / total) * 100) : null,
    },
    // The fleet has been fully up since its most recent restart.
    uptimeSeconds: uptimes.length ? Math.min(...uptimes) : null,
    sampledAt: times[times.length - 1] ?? null,
  };
}

/** The fleet's system metrics, or one gateway's (`gatewayId`). */
export async function systemMetrics(tenantId: string, gatewayId?: number): Promise<FleetSystem> {
  const all = await listGateways(tenantId);
  if (gatewayId === undefined) return aggregateSystem(all);
  const one = all.find((g) => g.id === gatewayId);
  if (!one) throw new NotFound(`gateway_id: no gateway ${gatewayId}`);
  return aggregateSystem([one]);
}

export interface DeviceCounts {
  total: number;
  online: number;
  offline: number;
  critical: number;
}

export function deviceCounts(gateways: Gateway[], now = Date.now()): DeviceCounts {
  let online = 0;
  let critical = 0;
  for (const g of gateways) {
    const up = g.lastSeen !== undefined && now - Date.parse(g.lastSeen) < ONLINE_WINDOW_MS;
    if (!up) continue;
    online += 1;
    const s = sampleOf(g);
    if (
      (num(s?.cpu?.usage_percent) ?? 0) >= CRITICAL_PERCENT ||
      (num(s?.memory?.usage_percent) ?? 0) >= CRITICAL_PERCENT
    ) {
      critical += 1;
    }
  }
  return { total: gateways.length, online, offline: gateways.length - online, critical };
}

export interface OrganizationMetrics {
  devices: DeviceCounts;
  scansThisMonth: number;
  logsThisMonth: number;
  apiRequestsThisMonth: number;
  securityScore: number;
  anomalies: AnomalyCounts;
}

export async function organizationMetrics(tenantId: string, now = new Date()): Promise<OrganizationMetrics> {
  const [gateways, usage, status, anomalies] = await Promise.all([
    listGateways(tenantId),
    usageSnapshot(tenantId, now),
    securityStatus(tenantId, {}, now),
    anomalyCounts(tenantId, now),
  ]);
  return {
    devices: deviceCounts(gateways, now.getTime()),
    scansThisMonth: usage.month.scans,
    logsThisMonth: usage.month.logs,
    apiRequestsThisMonth: usage.month.apiRequests,
    securityScore: status.security_score,
    anomalies,
  };
}

export interface SecurityMetrics {
  threatsBlocked: number;
  events: { last24h: number; last7d: number; last30d: number };
}

const BLOCKING_ACTIONS = new Set(["DROP", "REJECT", "BLOCK", "DENY"]);

/**
 * Threats blocked: firewall lines the gateways reported dropping or rejecting in the last 30 days.
 * Security events: audit records of the last 30 days that failed or carry a warning or worse.
 */
export async function securityMetrics(tenantId: string, now = new Date()): Promise<SecurityMetrics> {
  const from = new Date(now.getTime() - 30 * 86_400_000);
  const [counters, records] = await Promise.all([
    readFirewallCounters(tenantId, from, now),
    readAudit(tenantId, from, now),
  ]);
  const blocked = Object.entries(counters.actions)
    .filter(([a]) => BLOCKING_ACTIONS.has(a.toUpperCase()))
    .reduce((s, [, n]) => s + n, 0);
  const events = records.filter((r) => r.status === "failed" || r.severity !== "info");
  const since = (ms: number) => events.filter((r) => Date.parse(r.timestamp) >= now.getTime() - ms).length;
  return {
    threatsBlocked: blocked,
    events: { last24h: since(86_400_000), last7d: since(7 * 86_400_000), last30d: events.length },
  };
}

export interface ActivityItem {
  timestamp: string;
  type: string;
  message: string;
}

/** The tenant's most recent audit events (the dashboard's recent activity). */
export async function recentActivity(tenantId: string, limit = 10, now = new Date()): Promise<ActivityItem[]> {
  const records = await readAudit(tenantId, new Date(now.getTime() - 7 * 86_400_000), now);
  return records
    .sort((a, b) => b.timestamp.localeCompare(a.timestamp))
    .slice(0, limit)
    .map((r) => ({ timestamp: r.timestamp, type: r.event_type, message: `${r.event} (${r.status})` }));
}
