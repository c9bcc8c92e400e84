/** What the scan, alert and report routes answer: the spec's fields (snake_case), with their schemas. */
import * as z from "zod/mini";
import { responseSchema } from "#shared/kit/text.ts";
import type { AlertItem } from "./db/alerts.ts";
import type { ScanItem } from "./db/scans.ts";
import type { StoredFinding } from "./findings.ts";

const Counts = z.record(z.string(), z.number());
const Iso = z.string();

export const ScanListView = /* @__PURE__ */ responseSchema(() =>
  z.object({
    items: z.array(
      z.object({
        id: z.string(),
        cloud_provider: z.string(),
        status: z.string(),
        created_at: Iso,
        completed_at: z.nullable(Iso),
        total_resources: z.number(),
        findings_count: z.number(),
        critical_findings: z.number(),
        high_findings: z.number(),
        region: z.string(),
        account_id: z.nullable(z.string()),
        security_score: z.nullable(z.number()),
      }),
    ),
    total: z.number(),
    skip: z.number(),
    limit: z.number(),
  }),
);

export function scanListItem(s: ScanItem) {
  return {
    id: s.id,
    cloud_provider: s.provider,
    status: s.status,
    created_at: s.createdAt,
    completed_at: s.completedAt,
    total_resources: s.totalResources,
    findings_count: s.findingsCount,
    critical_findings: s.bySeverity.critical ?? 0,
    high_findings: s.bySeverity.high ?? 0,
    region: s.region,
    account_id: s.accountId,
    security_score: s.score,
  };
}

export const ScanStartedView = /* @__PURE__ */ responseSchema(() =>
  z.object({
    scan_id: z.string(),
    status: z.string(),
    message: z.string(),
    estimated_duration: z.string(),
    services_to_scan: z.array(z.string()),
    regions_to_scan: z.array(z.string()),
  }),
);

export function scanStartedView(s: ScanItem, estimatedDuration: string) {
  return {
    scan_id: s.id,
    status: "initiated",
    message: "Scan initiated successfully",
    estimated_duration: estimatedDuration,
    services_to_scan: s.services,
    regions_to_scan: s.regions,
  };
}

export const ScanStatusView = /* @__PURE__ */ responseSchema(() =>
  z.object({
    scan_id: z.string(),
    status: z.string(),
    progress: z.number(),
    current_service: z.nullable(z.string()),
    services_completed: z.array(z.string()),
    services_remaining: z.array(z.string()),
    services_skipped: z.array(z.object({ service: z.string(), region: z.string(), reason: z.string() })),
    findings_so_far: z.number(),
    started_at: z.nullable(Iso),
    estimated_completion: z.nullable(Iso),
    completed_at: z.nullable(Iso),
    error: z.nullable(z.string()),
  }),
);

/**
 * Progress: collection is 90 % of the work (units done / units), evaluation the last 10 %. A service
 * is completed when all its units are done (or skipped); the estimate extrapolates the elapsed time.
 */
export function scanStatusView(s: ScanItem, now = new Date()) {
  const done = new Set(s.doneUnits);
  const unitsOf = (service: string) => s.doneUnits.filter((u) => u.startsWith(`${service}@`)).length;
  const expected = (service: string) => (service === "iam" || service === "s3" ? 1 : s.regions.length);
  const finished = s.status === "completed" || s.status === "failed";
  const completed = s.services.filter((svc) => finished || unitsOf(svc) >= expected(svc));
  const remaining = s.services.filter((svc) => !completed.includes(svc));
  const progress = finished
    ? 100
    : s.totalUnits === 0
      ? 0
      : Math.min(99, Math.floor((90 * Math.min(done.size, s.totalUnits)) / s.totalUnits));
  let estimated: string | null = s.completedAt;
  if (!finished && s.startedAt && progress > 0) {
    const elapsed = now.getTime() - Date.parse(s.startedAt);
    estimated = new Date(Date.parse(s.startedAt) + (elapsed * 100) / progress).toISOString();
  }
  return {
    scan_id: s.id,
    status: s.status,
    progress,
    current_service: finished ? null : s.currentService,
    services_completed: completed,
    services_remaining: remaining,
    services_skipped: s.skipped,
    findings_so_far: s.findingsSoFar,
    started_at: s.startedAt,
    estimated_completion: estimated,
    completed_at: s.completedAt,
    error: s.error,
  };
}

const FindingSchema = z.object({
  finding_id: z.string(),
  severity: z.string(),
  title: z.string(),
  description: z.string(),
  resource_id: z.string(),
  resource_type: z.string(),
  service: z.string(),
  region: z.string(),
  risk_score: z.number(),
  compliance_violations: z.array(z.string()),
  remediation: z.object({
    steps: z.array(z.string()),
    priority: z.string(),
    estimated_effort: z.string(),
    cli: z.string(),
    console: z.string(),
    url: z.nullable(z.string()),
  }),
  evidence: z.record(z.string(), z.unknown()),
  status: z.string(),
});

export const ScanResultsView = /* @__PURE__ */ responseSchema(() =>
  z.object({
    scan_id: z.string(),
    status: z.string(),
    scan_summary: z.object({
      total_resources: z.number(),
      total_findings: z.number(),
      by_severity: Counts,
      by_service: Counts,
      security_score: z.nullable(z.number()),
      services_skipped: z.array(z.object({ service: z.string(), region: z.string(), reason: z.string() })),
    }),
    findings: z.array(FindingSchema),
    total: z.number(),
    skip: z.number(),
    limit: z.number(),
  }),
);

export function findingView(f: StoredFinding) {
  return {
    finding_id: f.finding_id,
    severity: f.severity,
    title: f.title,
    description: f.description,
    resource_id: f.resource_id,
    resource_type: f.resource_type,
    service: f.service,
    region: f.region,
    risk_score: f.risk_score,
    compliance_violations: f.compliance_violations,
    remediation: f.remediation,
    evidence: f.evidence,
    status: f.status,
  };
}

export function scanResultsView(s: ScanItem, page: StoredFinding[], total: number, skip: number, limit: number) {
  return {
    scan_id: s.id,
    status: s.status,
    scan_summary: {
      total_resources: s.totalResources,
      total_findings: s.findingsCount,
      by_severity: s.bySeverity,
      by_service: s.byService,
      security_score: s.score,
      services_skipped: s.skipped,
    },
    findings: page.map(findingView),
    total,
    skip,
    limit,
  };
}

export const ProvidersView = /* @__PURE__ */ responseSchema(() =>
  z.record(
    z.string(),
    z.object({
      name: z.string(),
      available: z.boolean(),
      services: z.array(z.string()),
      regions: z.array(z.string()),
      credential_types: z.array(z.string()),
      note: z.optional(z.string()),
    }),
  ),
);

/** A suppressed alert's reason and end; null while the alert is not suppressed. */
const Suppression = z.nullable(z.object({ reason: z.string(), expires_at: Iso }));
const suppressionView = (a: AlertItem): z.infer<typeof Suppression> =>
  a.status === "suppressed" && a.suppressedReason && a.suppressedUntil
    ? { reason: a.suppressedReason, expires_at: a.suppressedUntil }
    : null;

const AlertSchema = z.object({
  id: z.number(),
  title: z.string(),
  description: z.string(),
  severity: z.string(),
  status: z.string(),
  resource_id: z.string(),
  service: z.string(),
  cloud_provider: z.string(),
  region: z.string(),
  risk_score: z.number(),
  created_at: Iso,
  updated_at: Iso,
  scan_id: z.string(),
  finding_id: z.string(),
  compliance_violations: z.array(z.string()),
  account_id: z.string(),
  resource_type: z.string(),
  acknowledged_at: z.nullable(Iso),
  resolved_at: z.nullable(Iso),
  suppression: Suppression,
  notes: z.nullable(z.string()),
});

export function alertView(a: AlertItem) {
  return {
    id: a.id,
    title: a.title,
    description: a.description,
    severity: a.severity,
    status: a.status,
    resource_id: a.resourceId,
    service: a.service,
    cloud_provider: a.provider,
    region: a.region,
    risk_score: a.riskScore,
    created_at: a.createdAt,
    updated_at: a.updatedAt,
    scan_id: a.scanId,
    finding_id: a.checkId,
    compliance_violations: a.complianceViolations,
    account_id: a.accountId,
    resource_type: a.resourceType,
    acknowledged_at: a.acknowledgedAt,
    resolved_at: a.resolvedAt,
    suppression: suppressionView(a),
    notes: a.notes,
  };
}

export const AlertListView = /* @__PURE__ */ responseSchema(() =>
  z.object({ items: z.array(AlertSchema), total: z.number(), skip: z.number(), limit: z.number() }),
);

export const AlertStatusView = /* @__PURE__ */ responseSchema(() =>
  z.object({
    id: z.number(),
    status: z.string(),
    acknowledged_at: z.nullable(Iso),
    acknowledged_by: z.nullable(z.number()),
    notes: z.nullable(z.string()),
    resolved_at: z.nullable(Iso),
    resolved_by: z.nullable(z.number()),
    suppression: Suppression,
    updated_at: Iso,
  }),
);

export function alertStatusView(a: AlertItem) {
  return {
    id: a.id,
    status: a.status,
    acknowledged_at: a.acknowledgedAt,
    acknowledged_by: a.acknowledgedBy,
    notes: a.notes,
    resolved_at: a.resolvedAt,
    resolved_by: a.resolvedBy,
    suppression: suppressionView(a),
    updated_at: a.updatedAt,
  };
}

export const BulkAlertView = /* @__PURE__ */ responseSchema(() =>
  z.object({
    updated_count: z.number(),
    message: z.string(),
    failed: z.array(z.object({ id: z.number(), detail: z.string() })),
  }),
);

export const AlertStatsView = /* @__PURE__ */ responseSchema(() =>
  z.object({
    total_alerts: z.number(),
    by_severity: Counts,
    by_status: Counts,
    by_service: Counts,
    trends: z.object({ new_today: z.number(), resolved_today: z.number(), weekly_trend: z.number() }),
  }),
);

export const DashboardView = /* @__PURE__ */ responseSchema(() =>
  z.object({
    total_scans: z.number(),
    active_alerts: z.number(),
    risk_score: z.nullable(z.number()),
    security_score: z.nullable(z.number()),
    resources_monitored: z.number(),
    recent_scans: z.array(
      z.object({
        id: z.string(),
        cloud_provider: z.string(),
        status: z.string(),
        completed_at: z.nullable(Iso),
        findings: z.number(),
        risk_score: z.nullable(z.number()),
      }),
    ),
    alert_trends: z.array(z.object({ date: z.string(), count: z.number() })),
    compliance_summary: Counts,
  }),
);

const Trend = z.enum(["improving", "stable", "declining"]);

export const SecurityScoreView = /* @__PURE__ */ responseSchema(() =>
  z.object({
    overall_score: z.nullable(z.number()),
    score_trend: Trend,
    by_provider: z.record(z.string(), z.object({ score: z.number(), trend: Trend, last_scan: z.nullable(Iso) })),
    trends: z.array(z.object({ date: z.string(), score: z.number() })),
    improvement_areas: z.array(
      z.object({ category: z.string(), current_score: z.number(), potential_improvement: z.number() }),
    ),
  }),
);

export const ComplianceView = /* @__PURE__ */ responseSchema(() =>
  z.object({
    framework: z.string(),
    framework_name: z.string(),
    scan_id: z.nullable(z.string()),
    compliance_percentage: z.number(),
    total_controls: z.number(),
    passed_controls: z.number(),
    failed_controls: z.number(),
    controls: z.array(
      z.object({
        control_id: z.string(),
        title: z.string(),
        status: z.enum(["passed", "failed"]),
        evidence: z.optional(z.string()),
        findings_count: z.number(),
        affected_resources: z.array(z.string()),
        checks: z.array(z.string()),
      }),
    ),
  }),
);
