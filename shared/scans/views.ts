/** The scan routes' answers on the wire (snake_case), with their response schemas. */
import * as z from "zod/mini";
import { responseSchema } from "#shared/kit/text.ts";
import type { ScanItem } from "./db/scans.ts";

const BASE = "/cloud-integration/security";
const Status = z.enum(["running", "completed", "failed", "cancelled"]);

/** `HH:MM:SS` (hours may exceed 24). */
export function hms(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
}

export const progressUrl = (scanId: string) => `${BASE}/scan/progress/${scanId}`;

export const ScanStartedView = /* @__PURE__ */ responseSchema(() =>
  z.object({
    status: Status,
    scan_id: z.string(),
    scan_type: z.string(),
    started: z.string(),
    estimated_completion: z.string(),
    components: z.array(z.string()),
    depth: z.string(),
    progress_url: z.string(),
    /** The weekly scan's next run, when the tenant has a schedule. */
    next_scan_scheduled: z.nullable(z.string()),
  }),
);

export function scanStartedView(scan: ScanItem, nextScanScheduled: string | null): z.infer<typeof ScanStartedView> {
  return {
    status: scan.status,
    scan_id: scan.scanId,
    scan_type: scan.scanType,
    started: scan.startedAt,
    estimated_completion: new Date(Date.parse(scan.startedAt) + scan.estimatedSeconds * 1000).toISOString(),
    components: scan.components,
    depth: scan.depth,
    progress_url: progressUrl(scan.scanId),
    next_scan_scheduled: nextScanScheduled,
  };
}

const CheckView = z.object({
  check: z.string(),
  status: z.enum(["pass", "warning", "fail"]),
  details: z.string(),
  severity: z.enum(["low", "medium", "high", "critical"]),
  remediation: z.nullable(z.string()),
});

const ComponentView = z.object({
  status: z.enum(["pass", "warning", "fail"]),
  score: z.number(),
  issues: z.number(),
  checks: z.array(CheckView),
});

export const ScanResultsView = /* @__PURE__ */ responseSchema(() =>
  z.object({
    scan_id: z.string(),
    scan_type: z.string(),
    status: Status,
    started: z.string(),
    completed: z.nullable(z.string()),
    duration: z.nullable(z.string()),
    results: z.record(z.string(), ComponentView),
    total_issues: z.nullable(z.number()),
    security_score: z.nullable(z.number()),
    recommendations: z.array(z.string()),
    risk_level: z.nullable(z.enum(["low", "medium", "high", "critical"])),
    next_scan_scheduled: z.nullable(z.string()),
    error: z.nullable(z.string()),
  }),
);
export type ScanResultsView = z.infer<typeof ScanResultsView>;

export function scanResultsView(scan: ScanItem, nextScanScheduled: string | null): ScanResultsView {
  return {
    scan_id: scan.scanId,
    scan_type: scan.scanType,
    status: scan.status,
    started: scan.startedAt,
    completed: scan.finishedAt,
    duration: scan.finishedAt ? hms(Date.parse(scan.finishedAt) - Date.parse(scan.startedAt)) : null,
    results: Object.fromEntries(
      scan.components
        .filter((c) => scan.results[c])
        .map((c) => {
          const r = scan.results[c] as NonNullable<ScanItem["results"][string]>;
          return [c, { status: r.status, score: r.score, issues: r.issues, checks: r.checks }];
        }),
    ),
    total_issues: scan.totalIssues,
    security_score: scan.securityScore,
    recommendations: scan.recommendations,
    risk_level: scan.riskLevel as ScanResultsView["risk_level"],
    next_scan_scheduled: nextScanScheduled,
    error: scan.error,
  };
}

export const ScanProgressView = /* @__PURE__ */ responseSchema(() =>
  z.object({
    scan_id: z.string(),
    status: Status,
    progress: z.number(),
    current_component: z.nullable(z.string()),
    current_check: z.nullable(z.string()),
    started: z.string(),
    elapsed: z.string(),
    estimated_remaining: z.string(),
    components_completed: z.array(z.string()),
    components_remaining: z.array(z.string()),
    issues_found: z.number(),
    cancel_requested: z.boolean(),
    error: z.nullable(z.string()),
  }),
);

export function scanProgressView(scan: ScanItem, now = new Date()): z.infer<typeof ScanProgressView> {
  const done = scan.components.filter((c) => scan.componentsDone.includes(c));
  const running = scan.status === "running";
  const end = scan.finishedAt ? Date.parse(scan.finishedAt) : now.getTime();
  const elapsed = end - Date.parse(scan.startedAt);
  const estimate = scan.estimatedSeconds * 1000;
  return {
    scan_id: scan.scanId,
    status: scan.status,
    progress: scan.status === "completed" ? 100 : Math.round((100 * done.length) / Math.max(1, scan.components.length)),
    current_component: running ? scan.currentComponent : null,
    current_check: running ? scan.currentCheck : null,
    started: scan.startedAt,
    elapsed: hms(elapsed),
    // Running longer than estimated: the rest of the estimate for the components left, at least a second.
    estimated_remaining: running
      ? hms(
          Math.max(
            estimate - elapsed,
            ((scan.components.length - done.length) * estimate) / Math.max(1, scan.components.length),
            1000,
          ),
        )
      : "00:00:00",
    components_completed: done,
    components_remaining: scan.components.filter((c) => !scan.componentsDone.includes(c)),
    issues_found: scan.issuesFound,
    cancel_requested: scan.cancelRequested,
    error: scan.error,
  };
}

export const ScanCancelView = /* @__PURE__ */ responseSchema(() =>
  z.object({ scan_id: z.string(), status: Status, cancel_requested: z.boolean(), message: z.string() }),
);

export const scanCancelView = (scan: ScanItem): z.infer<typeof ScanCancelView> => ({
  scan_id: scan.scanId,
  status: scan.status,
  cancel_requested: true,
  message: "Cancel requested: the scan stops before its next component and ends as cancelled",
});

/** Legacy securenet `GET /api/security`: status and the latest scan. */
export const LegacySecurityView = /* @__PURE__ */ responseSchema(() =>
  z.object({
    security_status: z.enum(["secure", "at_risk", "critical", "unknown"]),
    security_score: z.nullable(z.number()),
    risk_level: z.nullable(z.enum(["low", "medium", "high", "critical"])),
    scan_in_progress: z.nullable(z.object({ scan_id: z.string(), progress_url: z.string() })),
    latest_scan: z.nullable(ScanResultsView),
    next_scan_scheduled: z.nullable(z.string()),
  }),
);

export function legacySecurityView(o: {
  running: ScanItem | null;
  latest: ScanItem | null;
  nextScanScheduled: string | null;
}): z.infer<typeof LegacySecurityView> {
  const latest = o.latest ? scanResultsView(o.latest, o.nextScanScheduled) : null;
  const risk = latest?.risk_level ?? null;
  return {
    security_status:
      risk === null ? "unknown" : risk === "critical" ? "critical" : risk === "low" ? "secure" : "at_risk",
    security_score: latest?.security_score ?? null,
    risk_level: risk,
    scan_in_progress: o.running ? { scan_id: o.running.scanId, progress_url: progressUrl(o.running.scanId) } : null,
    latest_scan: latest,
    next_scan_scheduled: o.nextScanScheduled,
  };
}
