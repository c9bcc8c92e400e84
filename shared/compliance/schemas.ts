/**
 * Request schemas of the GRC surface (the spec's snake_case), strict: an unknown field is a 400
 * naming it. Create bodies give every optional field its default; PATCH bodies take any subset and
 * default nothing; PUT bodies are create bodies (a full replacement).
 */
import * as z from "zod/mini";
import { freeText } from "#shared/kit/text.ts";
import { SystemType } from "./checklist-templates.ts";
import { pageFields, searchField } from "./drf.ts";
import { EVIDENCE_CHECK_IDS } from "./evidence-bindings.ts";

type Field = [z.core.$ZodType, unknown];
type Defaults<T extends Record<string, Field>> = { [K in keyof T]: z.ZodMiniDefault<T[K][0]> };
type Optionals<T extends Record<string, Field>> = { [K in keyof T]: z.ZodMiniOptional<T[K][0]> };

function withDefaults<T extends Record<string, Field>>(fields: T): Defaults<T> {
  return Object.fromEntries(
    Object.entries(fields).map(([k, [s, d]]) => [k, z._default(s as z.core.$ZodType, d as never)]),
  ) as Defaults<T>;
}
function optionals<T extends Record<string, Field>>(fields: T): Optionals<T> {
  return Object.fromEntries(
    Object.entries(fields).map(([k, [s]]) => [k, z.optional(s as z.core.$ZodType)]),
  ) as Optionals<T>;
}

const int = (min: number, max: number) => z.number().check(z.int(), z.gte(min), z.lte(max));
const bool = z.boolean();
const title = freeText({ min: 1, max: 200 });
const text = freeText({ max: 5000, multiline: true });
const url = z.nullable(z.url({ protocol: /^https?$/, hostname: z.regexes.domain }).check(z.maxLength(2000)));
const dateTime = z.nullable(z.iso.datetime({ offset: true }));
const date = z.nullable(z.iso.date());
/** A record id: a UUID as Warden writes them (lower case). */
export const Id = z
  .string()
  .check(z.regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, "must be a UUID"));
/** A framework: a catalog id ("nist-csf-2.0") or a name ("nist", "ISO 27001"); resolved by the area. */
export const FrameworkRef = z.string().check(z.minLength(1), z.maxLength(100));
export const PriorityValue = z.enum(["critical", "high", "medium", "low"]);
export const Severity = PriorityValue;

export const IdPath = z.strictObject({ id: Id });
export const FrameworkPath = z.strictObject({ id: FrameworkRef });

// --- enterprises --------------------------------------------------------------------------------

export const EnterpriseCreate = z.strictObject({
  name: freeText({ min: 1, max: 120 }),
  description: z.optional(freeText({ max: 2000, multiline: true })),
});
export const EnterprisePatch = z.strictObject({
  name: z.optional(freeText({ min: 1, max: 120 })),
  description: z.optional(freeText({ max: 2000, multiline: true })),
});
export const EnterpriseListQuery = z.strictObject({ ...pageFields, ...searchField });

// --- frameworks ---------------------------------------------------------------------------------

export const FrameworkListQuery = z.strictObject({ ...pageFields, ...searchField });
export const ByNameQuery = z.strictObject({ name: z.string().check(z.minLength(1), z.maxLength(100)) });

// --- policies -----------------------------------------------------------------------------------

const POLICY_FIELDS = {
  mfa_required: [bool, true],
  mfa_grace_period_days: [int(0, 365), 30],
  require_hardware_keys: [bool, false],
  password_min_length: [int(8, 128), 12],
  password_require_uppercase: [bool, true],
  password_require_lowercase: [bool, true],
  password_require_numbers: [bool, true],
  password_require_special_chars: [bool, true],
  /** 0: passwords do not expire. */
  password_expiry_days: [int(0, 3650), 90],
  password_history_count: [int(0, 50), 12],
  session_timeout_minutes: [int(5, 1440), 30],
  session_concurrent_limit: [int(1, 100), 5],
  require_vpn_for_admin: [bool, false],
  encryption_at_rest: [bool, true],
  encryption_algorithm: [z.enum(["AES-256", "AES-128", "ChaCha20-Poly1305"]), "AES-256"],
  tls_minimum_version: [z.enum(["1.2", "1.3"]), "1.2"],
  enable_audit_logging: [bool, true],
  audit_log_retention_days: [int(30, 3650), 365],
  log_all_access: [bool, false],
  log_all_changes: [bool, true],
  enforce_least_privilege: [bool, true],
  require_approval_for_privileged_access: [bool, false],
  privileged_access_approval_timeout_hours: [int(1, 168), 24],
  enforce_network_segmentation: [bool, false],
  enforce_zero_trust: [bool, false],
  require_vpn_for_remote_access: [bool, false],
  enable_vuln_scanning: [bool, true],
  vuln_scan_frequency_days: [int(1, 90), 7],
  auto_patch_critical: [bool, false],
  patch_window_hours: [int(1, 720), 72],
  enable_backups: [bool, true],
  backup_frequency_hours: [int(1, 168), 24],
  backup_retention_days: [int(1, 3650), 90],
  rto_hours: [int(0, 720), 24],
  rpo_minutes: [int(0, 10080), 60],
  primary_framework: [z.nullable(FrameworkRef), null],
  frameworks: [z.array(FrameworkRef).check(z.maxLength(20)), []],
  annual_audit_required: [bool, true],
  penetration_testing_frequency_months: [int(1, 60), 12],
} satisfies Record<string, Field>;

export const POLICY_FIELD_NAMES = Object.keys(POLICY_FIELDS);
export const PolicyCreate = z.strictObject({ enterprise: Id, ...withDefaults(POLICY_FIELDS) });
export const PolicyPatch = z.strictObject(optionals(POLICY_FIELDS));
export const PolicyApply = z.optional(z.strictObject({ dry_run: z._default(bool, false) }));
export const PolicyPut = z.strictObject(withDefaults(POLICY_FIELDS));
export const PolicyListQuery = z.strictObject({
  ...pageFields,
  enterprise: z.optional(Id),
  primary_framework: z.optional(FrameworkRef),
});
export type PolicyCreate = z.infer<typeof PolicyCreate>;
export type PolicyPatch = z.infer<typeof PolicyPatch>;

// --- checklists ---------------------------------------------------------------------------------

export const ChecklistItemInput = z.strictObject({
  id: z.string().check(z.regex(/^[a-z0-9]+(-[a-z0-9]+)*$/), z.maxLength(64)),
  title: title,
  description: z._default(freeText({ max: 2000, multiline: true }), ""),
  completed: z._default(bool, false),
  priority: z._default(PriorityValue, "medium"),
  category: z._default(freeText({ min: 1, max: 60 }), "configuration"),
});
const CHECKLIST_FIELDS = {
  name: [z.nullable(title), null],
  description: [z.nullable(text), null],
  /** Omitted on create: the system type's seeded template items. */
  items: [z.nullable(z.array(ChecklistItemInput).check(z.maxLength(200))), null],
} satisfies Record<string, Field>;
export const ChecklistCreate = z.strictObject({
  enterprise: Id,
  system_type: SystemType,
  ...withDefaults(CHECKLIST_FIELDS),
});
export const ChecklistPatch = z.strictObject(optionals(CHECKLIST_FIELDS));
export const ChecklistPut = z.strictObject({ system_type: SystemType, ...withDefaults(CHECKLIST_FIELDS) });
export const ChecklistListQuery = z.strictObject({
  ...pageFields,
  enterprise: z.optional(Id),
  system_type: z.optional(SystemType),
  status: z.optional(z.enum(["incomplete", "in_progress", "verified"])),
});
export type ChecklistCreate = z.infer<typeof ChecklistCreate>;
export type ChecklistPatch = z.infer<typeof ChecklistPatch>;

// --- controls -----------------------------------------------------------------------------------

export const ControlStatus = z.enum(["not_implemented", "implemented", "verified"]);
const CONTROL_FIELDS = {
  name: [z.nullable(title), null],
  description: [z.nullable(text), null],
  category: [z.nullable(freeText({ max: 120 })), null],
  /** `verified` is reached through POST …/verify/ only. */
  status: [z.enum(["not_implemented", "implemented"]), "not_implemented"],
  priority: [PriorityValue, "medium"],
  implementation_notes: [text, ""],
  evidence_document: [url, null],
  test_results: [text, ""],
} satisfies Record<string, Field>;
export const ControlCreate = z.strictObject({
  enterprise: Id,
  /** A catalog framework: the control is its requirement `control_id` (name and description come from the catalog). */
  framework: z._default(z.nullable(FrameworkRef), null),
  control_id: freeText({ min: 1, max: 60 }),
  ...withDefaults(CONTROL_FIELDS),
});
export const ControlPatch = z.strictObject(optionals(CONTROL_FIELDS));
export const ControlPut = z.strictObject({
  framework: z._default(z.nullable(FrameworkRef), null),
  control_id: freeText({ min: 1, max: 60 }),
  ...withDefaults(CONTROL_FIELDS),
});
export const ControlListQuery = z.strictObject({
  ...pageFields,
  ...searchField,
  enterprise: z.optional(Id),
  framework: z.optional(FrameworkRef),
  status: z.optional(ControlStatus),
  priority: z.optional(PriorityValue),
});
export const ControlsByFrameworkQuery = z.strictObject({
  ...pageFields,
  framework_id: FrameworkRef,
  enterprise: z.optional(Id),
});
export const ControlVerifyBody = z.optional(
  z.strictObject({
    test_results: z.optional(text),
    evidence_document: z.optional(url),
  }),
);
export type ControlCreate = z.infer<typeof ControlCreate>;
export type ControlPatch = z.infer<typeof ControlPatch>;

// --- audits -------------------------------------------------------------------------------------

export const AuditType = z.enum(["internal", "external", "penetration_test", "compliance_audit"]);
export const AuditStatus = z.enum(["scheduled", "in_progress", "completed", "on_hold"]);
const findings = int(0, 100_000);
const AUDIT_FIELDS = {
  audit_type: [AuditType, "internal"],
  description: [text, ""],
  scope: [text, ""],
  scheduled_date: [dateTime, null],
  report_document: [url, null],
  findings_json: [z.nullable(z.record(z.string().check(z.maxLength(100)), z.unknown())), null],
  conducted_by: [freeText({ max: 200 }), ""],
  conducted_by_external: [bool, false],
  remediation_plan: [text, ""],
  remediation_deadline: [date, null],
} satisfies Record<string, Field>;
export const AuditCreate = z.strictObject({ enterprise: Id, title, ...withDefaults(AUDIT_FIELDS) });
export const AuditPatch = z.strictObject({
  title: z.optional(title),
  ...optionals(AUDIT_FIELDS),
  /** Only holding and resuming: `on_hold` (from scheduled or in progress) and back to `scheduled`. */
  status: z.optional(z.enum(["scheduled", "on_hold"])),
});
export const AuditPut = z.strictObject({ title, ...withDefaults(AUDIT_FIELDS) });
export const AuditComplete = z.strictObject({
  findings_count: findings,
  critical_findings: z._default(findings, 0),
  high_findings: z._default(findings, 0),
  medium_findings: z._default(findings, 0),
  low_findings: z._default(findings, 0),
  report_document: z.optional(url),
  findings_json: z.optional(z.nullable(z.record(z.string().check(z.maxLength(100)), z.unknown()))),
  remediation_plan: z.optional(text),
  remediation_deadline: z.optional(date),
});
export const AuditListQuery = z.strictObject({
  ...pageFields,
  enterprise: z.optional(Id),
  audit_type: z.optional(AuditType),
  status: z.optional(AuditStatus),
});
const daysAhead = (fallback: number) => z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(3650)), fallback);
export const UpcomingQuery = z.strictObject({ ...pageFields, days: daysAhead(30), enterprise: z.optional(Id) });
export type AuditCreate = z.infer<typeof AuditCreate>;
export type AuditPatch = z.infer<typeof AuditPatch>;
export type AuditComplete = z.infer<typeof AuditComplete>;

// --- incidents ----------------------------------------------------------------------------------

export const IncidentStatus = z.enum(["reported", "investigating", "contained", "resolved"]);
const INCIDENT_FIELDS = {
  description: [text, ""],
  severity: [Severity, "medium"],
  detected_at: [dateTime, null],
  response_team: [freeText({ max: 200 }), ""],
  response_actions: [text, ""],
  root_cause: [text, ""],
  systems_affected: [freeText({ max: 2000 }), ""],
  data_affected: [freeText({ max: 2000 }), ""],
  user_count_affected: [int(0, 1_000_000_000), 0],
  notification_sent: [bool, false],
  notification_date: [dateTime, null],
  regulators_notified: [bool, false],
  regulator_notification_date: [dateTime, null],
  lessons_learned: [text, ""],
  improvements_planned: [text, ""],
} satisfies Record<string, Field>;
export const IncidentCreate = z.strictObject({ enterprise: Id, title, ...withDefaults(INCIDENT_FIELDS) });
export const IncidentPatch = z.strictObject({ title: z.optional(title), ...optionals(INCIDENT_FIELDS) });
export const IncidentPut = z.strictObject({ title, ...withDefaults(INCIDENT_FIELDS) });
export const IncidentStatusBody = z.strictObject({
  status: IncidentStatus,
  note: z._default(freeText({ max: 2000, multiline: true }), ""),
});
export const IncidentListQuery = z.strictObject({
  ...pageFields,
  enterprise: z.optional(Id),
  severity: z.optional(Severity),
  status: z.optional(IncidentStatus),
});
export const EnterpriseQuery = z.strictObject({ enterprise: z.optional(Id) });
export type IncidentCreate = z.infer<typeof IncidentCreate>;
export type IncidentPatch = z.infer<typeof IncidentPatch>;

// --- compliance items ---------------------------------------------------------------------------

export const ComplianceStatus = z.enum(["not_started", "in_progress", "completed"]);
const COMPLIANCE_FIELDS = {
  framework: [z.nullable(FrameworkRef), null],
  description: [text, ""],
  section_reference: [freeText({ max: 60 }), ""],
  status: [ComplianceStatus, "not_started"],
  status_percentage: [int(0, 100), 0],
  deadline: [date, null],
  owner: [z.nullable(int(1, 1_000_000_000)), null],
  evidence_document: [url, null],
  verification_notes: [text, ""],
} satisfies Record<string, Field>;
export const ComplianceCreate = z.strictObject({
  enterprise: Id,
  requirement_name: title,
  ...withDefaults(COMPLIANCE_FIELDS),
});
export const CompliancePatch = z.strictObject({ requirement_name: z.optional(title), ...optionals(COMPLIANCE_FIELDS) });
export const CompliancePut = z.strictObject({ requirement_name: title, ...withDefaults(COMPLIANCE_FIELDS) });
export const ComplianceListQuery = z.strictObject({
  ...pageFields,
  ...searchField,
  enterprise: z.optional(Id),
  framework: z.optional(FrameworkRef),
  status: z.optional(ComplianceStatus),
});
export const ComplianceByFrameworkQuery = z.strictObject({ framework_id: FrameworkRef, enterprise: z.optional(Id) });
export type ComplianceCreate = z.infer<typeof ComplianceCreate>;
export type CompliancePatch = z.infer<typeof CompliancePatch>;

// --- dashboards ---------------------------------------------------------------------------------

export const DashboardQuery = z.strictObject({ enterprise_id: z.optional(Id) });
export const DashboardAuditsQuery = z.strictObject({ enterprise_id: z.optional(Id), days: daysAhead(90) });

// --- evidence -----------------------------------------------------------------------------------

export const EvidenceBind = z.strictObject({
  check: z.enum(EVIDENCE_CHECK_IDS as [string, ...string[]]),
});
export const EvidenceListQuery = z.strictObject({ ...pageFields });
