/**
 * Metrics on the wire (securenet `/api/metrics/*`), each answer next to the zod schema that
 * describes it. A part without a producer yet is `null` with `status: "not_configured"`.
 */
import * as z from "zod/mini";
import { ANOMALY_COUNT_DAYS } from "#shared/insights/anomalies.ts";
import type { Health } from "./health.ts";
import type { ActivityItem, FleetSystem, OrganizationMetrics, SecurityMetrics } from "./metrics.ts";

const int = z.number().check(z.int());
const nnum = z.nullable(z.number());
const nint = z.nullable(int);
const notConfigured = z.literal("not_configured");

export const SystemMetricsView = z.object({
  cpu: z.object({ usage_percent: nnum, cores: int, load_average: z.nullable(z.array(z.number())) }),
  memory: z.object({ total_gb: nnum, used_gb: nnum, available_gb: nnum, usage_percent: nnum }),
  disk: z.object({ total_gb: nnum, used_gb: nnum, free_gb: nnum, usage_percent: nnum, status: notConfigured }),
  network: z.object({ connections_active: nint, bytes_sent: nint, bytes_received: nint, status: notConfigured }),
  uptime_seconds: nint,
  gateways: z.object({ total: int, reporting: int, gateway_id: nint }),
  timestamp: z.nullable(z.string()),
});
export const systemMetricsView = (s: FleetSystem, gatewayId?: number): z.infer<typeof SystemMetricsView> => ({
  cpu: { usage_percent: s.cpu.usagePercent, cores: s.cpu.cores, load_average: s.cpu.loadAverage },
  memory: {
    total_gb: s.memory.totalGb,
    used_gb: s.memory.usedGb,
    available_gb: s.memory.availableGb,
    usage_percent: s.memory.usagePercent,
  },
  // Gateways do not report disk or network figures (edge/contract.ts MetricsEvent).
  disk: { total_gb: null, used_gb: null, free_gb: null, usage_percent: null, status: "not_configured" },
  network: { connections_active: null, bytes_sent: null, bytes_received: null, status: "not_configured" },
  uptime_seconds: s.uptimeSeconds,
  gateways: { total: s.gatewaysTotal, reporting: s.gatewaysReporting, gateway_id: gatewayId ?? null },
  timestamp: s.sampledAt,
});

export const OrganizationMetricsView = z.object({
  devices: z.object({ total: int, online: int, offline: int, critical: int }),
  scans: z.object({ total_this_month: int, completed: nint, failed: nint, in_progress: nint }),
  anomalies: z.object({
    total: nint,
    high_severity: nint,
    medium_severity: nint,
    low_severity: nint,
    resolved: nint,
    open: nint,
    status: z.enum(["detecting", "no_active_model"]),
    window_days: int,
  }),
  logs: z.object({ total_this_month: int, error_count: nint, warning_count: nint, info_count: nint }),
  api_requests_this_month: int,
  security_score: int,
});
export const organizationMetricsView = (m: OrganizationMetrics): z.infer<typeof OrganizationMetricsView> => ({
  devices: m.devices,
  // Scan outcomes come with the scan workflows; the month's count is the plan's counter.
  scans: { total_this_month: m.scansThisMonth, completed: null, failed: null, in_progress: null },
  // Anomalies of the last 30 days (shared/insights/anomalies.ts: severity from the confidence).
  // Nothing resolves an anomaly (there is no acknowledge action): `resolved` is null and every
  // anomaly of the window is open. `status` says whether new samples are scored at all (an active
  // model), so a 0 without one is not read as "nothing anomalous".
  anomalies: {
    total: m.anomalies.total,
    high_severity: m.anomalies.high,
    medium_severity: m.anomalies.medium,
    low_severity: m.anomalies.low,
    resolved: null,
    open: m.anomalies.total,
    status: m.anomalies.detecting ? "detecting" : "no_active_model",
    window_days: ANOMALY_COUNT_DAYS,
  },
  logs: { total_this_month: m.logsThisMonth, error_count: null, warning_count: null, info_count: null },
  api_requests_this_month: m.apiRequestsThisMonth,
  security_score: m.securityScore,
});

export const SecurityMetricsView = z.object({
  vulnerabilities: z.object({
    critical: nint,
    high: nint,
    medium: nint,
    low: nint,
    total: nint,
    status: notConfigured,
  }),
  threats: z.object({ blocked: int, detected: nint, resolved: nint }),
  compliance: z.object({
    score: nint,
    checks_passed: nint,
    checks_failed: nint,
    total_checks: nint,
    status: notConfigured,
  }),
  security_events: z.object({ last_24h: int, last_7d: int, last_30d: int }),
});
export const securityMetricsView = (m: SecurityMetrics): z.infer<typeof SecurityMetricsView> => ({
  vulnerabilities: { critical: null, high: null, medium: null, low: null, total: null, status: "not_configured" },
  threats: { blocked: m.threatsBlocked, detected: null, resolved: null },
  compliance: { score: null, checks_passed: null, checks_failed: null, total_checks: null, status: "not_configured" },
  security_events: { last_24h: m.events.last24h, last_7d: m.events.last7d, last_30d: m.events.last30d },
});

export const DashboardView = z.object({
  system: z.object({ cpu_usage: nnum, memory_usage: nnum, disk_usage: nnum, uptime: nint }),
  organization: z.object({
    devices_total: int,
    devices_online: int,
    scans_this_month: int,
    anomalies_open: nint,
    security_score: int,
  }),
  security: z.object({ vulnerabilities_critical: nint, threats_blocked: int, compliance_score: nint }),
  recent_activity: z.array(z.object({ timestamp: z.string(), type: z.string(), message: z.string() })),
});
export const dashboardView = (
  s: FleetSystem,
  o: OrganizationMetrics,
  sec: SecurityMetrics,
  activity: ActivityItem[],
): z.infer<typeof DashboardView> => ({
  system: {
    cpu_usage: s.cpu.usagePercent,
    memory_usage: s.memory.usagePercent,
    disk_usage: null,
    uptime: s.uptimeSeconds,
  },
  organization: {
    devices_total: o.devices.total,
    devices_online: o.devices.online,
    scans_this_month: o.scansThisMonth,
    anomalies_open: o.anomalies.total,
    security_score: o.securityScore,
  },
  security: { vulnerabilities_critical: null, threats_blocked: sec.threatsBlocked, compliance_score: null },
  recent_activity: activity,
});

const probeState = z.enum(["connected", "disconnected", "not_configured", "configured"]);
const serviceState = z.enum(["running", "degraded", "not_configured"]);
/** GET /api/metrics/health: the body itself (not enveloped), as the spec shows it. */
export const HealthView = z.object({
  status: z.enum(["healthy", "unhealthy"]),
  timestamp: z.string(),
  version: z.string(),
  uptime: int,
  database: probeState,
  services: z.object({ log_ingestion: serviceState, anomaly_detection: serviceState, network_scanner: serviceState }),
  checks: z.object({ database: probeState, iot: probeState, workflows: probeState, stripe: probeState }),
});
const ingestion = (h: Health) =>
  h.checks.iot === "connected" && h.checks.database === "connected" ? ("running" as const) : ("degraded" as const);

export const healthView = (h: Health, uptime: number, version: string): z.infer<typeof HealthView> => ({
  status: h.healthy ? "healthy" : "unhealthy",
  timestamp: new Date().toISOString(),
  version,
  uptime,
  database: h.checks.database,
  services: {
    // Gateway events flow through the IoT data plane into the table.
    log_ingestion: ingestion(h),
    // Samples are scored by the ingest itself (shared/insights/scoring.ts) for tenants with an
    // active model: detection runs exactly when ingestion does.
    anomaly_detection: ingestion(h),
    network_scanner: "not_configured",
  },
  checks: h.checks,
});
