/**
 * What the GRC routes answer, as the spec's examples show it: each view function next to the zod
 * schema of its answer (for the OpenAPI document and the contract tests).
 */
import * as z from "zod/mini";
import { checklistStatus, completionPercentage } from "./checklists.ts";
import { isOverdue } from "./compliance-items.ts";
import type { complianceDashboard, incidentsDashboard, overview } from "./dashboards.ts";
import { type DrfPage, pageOf } from "./drf.ts";
import type { EvidenceRecord } from "./evidence.ts";
import { type Framework, frameworkDisplayName, type RequirementTreeNode } from "./frameworks.ts";
import { timeToResolveMinutes } from "./incidents.ts";
import type { GrcRecord } from "./records.ts";

const str = z.string();
const nstr = z.nullable(z.string());
const num = z.number();
const bool = z.boolean();
const stamps = { created_at: str, updated_at: str };

/**
 * What a record answers before its view adds derived fields: its stored document, then its id,
 * enterprise and timestamps (these win over a same-named field of the document). The view's
 * schema keeps the fields it lists and drops the rest.
 */
const recordFields = (r: GrcRecord) => ({
  ...r.doc,
  id: r.id,
  enterprise: r.enterprise,
  created_at: r.createdAt,
  updated_at: r.updatedAt,
});
/** A framework-bound record's framework: its id and display name (null when it names none). */
const frameworkFields = (r: GrcRecord) => ({
  framework: r.framework ?? null,
  framework_name: frameworkDisplayName(r.framework),
});

export function page<T, V>(p: DrfPage<T>, view: (t: T) => V): DrfPage<V> {
  return { ...p, results: p.results.map(view) };
}

// --- frameworks ---------------------------------------------------------------------------------

export const FrameworkView = z.object({
  id: str,
  name: str,
  display_name: str,
  description: str,
  version: str,
  publisher: str,
  source_url: str,
  licence: str,
  requirement_count: num,
  active_requirement_count: num,
});
export const frameworkView = (f: Framework): z.infer<typeof FrameworkView> => ({
  id: f.id,
  name: f.aliases[0] ?? f.id,
  display_name: f.name,
  description: f.description,
  version: f.version,
  publisher: f.publisher,
  source_url: f.source_url,
  licence: f.licence,
  requirement_count: f.requirement_count,
  active_requirement_count: f.active_requirement_count,
});
export const FrameworkPage = pageOf(FrameworkView);

const RequirementNodeView: z.ZodMiniType = z.object({
  id: str,
  title: str,
  kind: str,
  withdrawn: z.optional(bool),
  mappings: z.array(z.object({ framework_id: str, requirement_id: str })),
  get children() {
    return z.array(RequirementNodeView);
  },
});
export const FrameworkRequirementsView = z.object({
  framework: FrameworkView,
  count: num,
  requirements: z.array(RequirementNodeView),
});
export function frameworkRequirementsView(r: { framework: Framework; tree: RequirementTreeNode[] }) {
  let count = 0;
  const walk = (ns: RequirementTreeNode[]) => {
    for (const n of ns) {
      count += 1;
      walk(n.children as RequirementTreeNode[]);
    }
  };
  walk(r.tree);
  return { framework: frameworkView(r.framework), count, requirements: r.tree };
}

// --- enterprises --------------------------------------------------------------------------------

export const EnterpriseView = z.object({ id: str, name: str, description: str, ...stamps });
export const enterpriseView = (r: GrcRecord): z.infer<typeof EnterpriseView> => ({
  id: r.id,
  name: String(r.doc.name),
  description: String(r.doc.description ?? ""),
  created_at: r.createdAt,
  updated_at: r.updatedAt,
});
export const EnterprisePage = pageOf(EnterpriseView);

// --- policies -----------------------------------------------------------------------------------

const b = bool;
const n = num;
export const PolicyView = z.object({
  id: str,
  enterprise: str,
  mfa_required: b,
  mfa_grace_period_days: n,
  require_hardware_keys: b,
  password_min_length: n,
  password_require_uppercase: b,
  password_require_lowercase: b,
  password_require_numbers: b,
  password_require_special_chars: b,
  password_expiry_days: n,
  password_history_count: n,
  session_timeout_minutes: n,
  session_concurrent_limit: n,
  require_vpn_for_admin: b,
  encryption_at_rest: b,
  encryption_algorithm: str,
  tls_minimum_version: z.enum(["1.2", "1.3"]),
  enable_audit_logging: b,
  audit_log_retention_days: n,
  log_all_access: b,
  log_all_changes: b,
  enforce_least_privilege: b,
  require_approval_for_privileged_access: b,
  privileged_access_approval_timeout_hours: n,
  enforce_network_segmentation: b,
  enforce_zero_trust: b,
  require_vpn_for_remote_access: b,
  enable_vuln_scanning: b,
  vuln_scan_frequency_days: n,
  auto_patch_critical: b,
  patch_window_hours: n,
  enable_backups: b,
  backup_frequency_hours: n,
  backup_retention_days: n,
  rto_hours: n,
  rpo_minutes: n,
  primary_framework: nstr,
  frameworks: z.array(str),
  annual_audit_required: b,
  penetration_testing_frequency_months: n,
  ...stamps,
});
export const policyView = (r: GrcRecord) => PolicyView.parse(recordFields(r));
export const PolicyPage = pageOf(PolicyView);
export const ComplianceSummaryView = z.object({
  policy_id: str,
  enterprise: str,
  frameworks: z.array(str),
  summary: z.object({
    mfa_enabled: b,
    encryption_enabled: b,
    audit_logging: b,
    backup_enabled: b,
    vulnerability_scanning: b,
  }),
  updated_at: str,
});

export const PolicyApplyView = z.object({
  policy_id: str,
  enterprise: str,
  dry_run: b,
  applied: b,
  changes: z.record(z.string(), z.object({ old: z.unknown(), new: z.unknown() })),
  adjusted: z.array(str),
  not_enforced_by_warden: z.array(str),
});

// --- checklists ---------------------------------------------------------------------------------

export const ChecklistView = z.object({
  id: str,
  enterprise: str,
  system_type: str,
  name: str,
  description: str,
  items: z.array(z.object({ id: str, title: str, description: str, completed: b, priority: str, category: str })),
  status: z.enum(["incomplete", "in_progress", "verified"]),
  completion_percentage: n,
  ...stamps,
  last_verified_at: nstr,
  verified_by: z.nullable(n),
  verified_by_username: nstr,
});
export const checklistView = (r: GrcRecord): z.infer<typeof ChecklistView> => ({
  id: r.id,
  enterprise: r.enterprise,
  system_type: String(r.doc.system_type),
  name: String(r.doc.name),
  description: String(r.doc.description ?? ""),
  items: ((r.doc.items as z.infer<typeof ChecklistView>["items"] | undefined) ?? []).map((i) => ({
    id: i.id,
    title: i.title,
    description: i.description,
    completed: i.completed,
    priority: i.priority,
    category: i.category,
  })),
  status: checklistStatus(r),
  completion_percentage: completionPercentage(r),
  created_at: r.createdAt,
  updated_at: r.updatedAt,
  last_verified_at: (r.doc.last_verified_at as string | null) ?? null,
  verified_by: (r.doc.verified_by as number | null) ?? null,
  verified_by_username: (r.doc.verified_by_username as string | null) ?? null,
});
export const ChecklistPage = pageOf(ChecklistView);

// --- controls -----------------------------------------------------------------------------------

export const ControlView = z.object({
  id: str,
  enterprise: str,
  framework: nstr,
  framework_name: nstr,
  control_id: str,
  requirement_id: nstr,
  name: str,
  description: str,
  category: str,
  status: z.enum(["not_implemented", "implemented", "verified"]),
  priority: z.enum(["critical", "high", "medium", "low"]),
  implementation_notes: str,
  evidence_document: nstr,
  test_results: str,
  ...stamps,
  verification_date: nstr,
  verified_by_username: nstr,
  /** Evidence checks bound to the control (live verification). */
  evidence_checks: z.array(str),
  /** Why live evidence dropped the control from verified, while it stays dropped. */
  status_reason: nstr,
});
export const controlView = (r: GrcRecord): z.infer<typeof ControlView> =>
  ControlView.parse({
    ...recordFields(r),
    ...frameworkFields(r),
    requirement_id: r.doc.requirement_id ?? null,
    evidence_checks: r.doc.evidence_checks ?? [],
    status_reason: r.doc.status_reason ?? null,
  });
export const ControlPage = pageOf(ControlView);

// --- audits -------------------------------------------------------------------------------------

export const AuditView = z.object({
  id: str,
  enterprise: str,
  audit_type: str,
  title: str,
  description: str,
  status: z.enum(["scheduled", "in_progress", "completed", "on_hold"]),
  scope: str,
  scheduled_date: nstr,
  start_date: nstr,
  end_date: nstr,
  findings_count: n,
  critical_findings: n,
  high_findings: n,
  medium_findings: n,
  low_findings: n,
  report_document: nstr,
  findings_json: z.nullable(z.record(z.string(), z.unknown())),
  conducted_by: str,
  conducted_by_external: b,
  remediation_plan: str,
  remediation_deadline: nstr,
  ...stamps,
});
export const auditView = (r: GrcRecord): z.infer<typeof AuditView> => AuditView.parse(recordFields(r));
export const AuditPage = pageOf(AuditView);

// --- incidents ----------------------------------------------------------------------------------

export const IncidentView = z.object({
  id: str,
  enterprise: str,
  title: str,
  description: str,
  severity: z.enum(["critical", "high", "medium", "low"]),
  status: z.enum(["reported", "investigating", "contained", "resolved"]),
  reported_at: str,
  detected_at: nstr,
  contained_at: nstr,
  resolved_at: nstr,
  response_team: str,
  response_actions: str,
  root_cause: str,
  systems_affected: str,
  data_affected: str,
  user_count_affected: n,
  notification_sent: b,
  notification_date: nstr,
  regulators_notified: b,
  regulator_notification_date: nstr,
  lessons_learned: str,
  improvements_planned: str,
  ...stamps,
  time_to_resolve_minutes: z.nullable(n),
  timeline: z.array(z.object({ at: str, by: str, by_user_id: n, from: nstr, to: str, note: str })),
});
export const incidentView = (r: GrcRecord): z.infer<typeof IncidentView> =>
  IncidentView.parse({ ...recordFields(r), time_to_resolve_minutes: timeToResolveMinutes(r) });
export const IncidentPage = pageOf(IncidentView);
export const BySeverityView = z.object({ critical: n, high: n, medium: n, low: n });

// --- compliance items ---------------------------------------------------------------------------

export const ComplianceItemView = z.object({
  id: str,
  enterprise: str,
  framework: nstr,
  framework_name: nstr,
  requirement_name: str,
  description: str,
  section_reference: str,
  status: z.enum(["not_started", "in_progress", "completed"]),
  status_percentage: n,
  deadline: nstr,
  completed_date: nstr,
  owner: z.nullable(n),
  owner_username: nstr,
  evidence_document: nstr,
  verification_notes: str,
  overdue: b,
  ...stamps,
});
export const complianceItemView = (r: GrcRecord): z.infer<typeof ComplianceItemView> =>
  ComplianceItemView.parse({ ...recordFields(r), ...frameworkFields(r), overdue: isOverdue(r) });
export const ComplianceItemPage = pageOf(ComplianceItemView);
export const ComplianceByFrameworkView = z.object({
  framework_id: str,
  framework_name: nstr,
  total: n,
  completed: n,
  in_progress: n,
  not_started: n,
  overall_percentage: n,
  items: z.array(ComplianceItemView),
});
export const ControlsByFrameworkView = ControlPage;

// --- dashboards ---------------------------------------------------------------------------------

export const OverviewView = z.object({
  enterprises: z.array(
    z.object({
      id: str,
      name: str,
      security: z.object({
        policy_active: b,
        controls: z.object({ total: n, verified: n, percentage: n }),
        incidents: z.object({ active: n, critical: n, high: n }),
        audits: z.object({ upcoming: n, recent: n }),
        compliance_score: n,
      }),
    }),
  ),
  summary: z.object({
    total_enterprises: n,
    policies_active: n,
    controls_total: n,
    controls_verified: n,
    active_incidents: n,
    upcoming_audits: n,
    compliance_score: n,
  }),
});
export const overviewView = (o: Awaited<ReturnType<typeof overview>>): z.infer<typeof OverviewView> => o;

export const ComplianceDashboardView = z.object({
  enterprise_id: nstr,
  compliance_score: n,
  controls: z.object({ total: n, verified: n, implemented: n, not_implemented: n, percentage: n }),
  frameworks: z.array(
    z.object({ framework_id: nstr, framework_name: str, total: n, verified: n, compliance_score: n }),
  ),
  items: z.object({ total: n, completed: n, in_progress: n, not_started: n, overall_percentage: n, overdue: n }),
  failing_evidence: z.array(
    z.object({ control: str, control_id: str, enterprise: str, enterprise_name: str, reason: str, since: str }),
  ),
});
export const complianceDashboardView = (d: Awaited<ReturnType<typeof complianceDashboard>>) => d;

export const IncidentsDashboardView = z.object({
  enterprise_id: nstr,
  total: n,
  active: n,
  by_status: z.record(z.string(), n),
  active_by_severity: BySeverityView,
  mean_time_to_resolve_minutes: z.nullable(n),
  recent: z.array(IncidentView),
});
export const incidentsDashboardView = (d: Awaited<ReturnType<typeof incidentsDashboard>>) => ({
  ...d,
  recent: d.recent.map(incidentView),
});

export const AuditsDashboardView = z.object({
  enterprise_id: nstr,
  days: n,
  upcoming: z.array(AuditView),
  in_progress: z.array(AuditView),
  on_hold: n,
  completed_recently: n,
  findings: z.object({ total: n, critical: n, high: n, medium: n, low: n }),
});

// --- evidence -----------------------------------------------------------------------------------

export const EvidenceCheckView = z.object({
  id: str,
  description: str,
  reads: z.array(str),
  available: b,
  bindings: z.array(z.object({ framework_id: str, requirement_id: str })),
});
export const EvidenceCheckList = pageOf(EvidenceCheckView);

export const EvidenceView = z.object({
  id: str,
  control: str,
  check: str,
  result: z.enum(["pass", "fail", "not_available"]),
  reason: str,
  facts: z.record(z.string(), z.unknown()),
  collected_at: str,
});
export const evidenceView = (e: EvidenceRecord): z.infer<typeof EvidenceView> => ({
  id: e.id,
  control: e.control,
  check: e.check,
  result: e.result,
  reason: e.reason,
  facts: e.facts,
  collected_at: e.collectedAt,
});
/** A control's evidence: the control as it stands, its bound checks, and its evidence records (newest first). */
export const ControlEvidenceView = z.object({
  control: ControlView,
  checks: z.array(str),
  count: n,
  next: nstr,
  previous: nstr,
  results: z.array(EvidenceView),
});
export function controlEvidenceView(
  control: GrcRecord,
  p: DrfPage<EvidenceRecord>,
): z.infer<typeof ControlEvidenceView> {
  return {
    control: controlView(control),
    checks: (control.doc.evidence_checks as string[] | undefined) ?? [],
    ...page(p, evidenceView),
  };
}
