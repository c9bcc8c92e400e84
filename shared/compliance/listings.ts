/**
 * The GRC list routes: which records, which filters, which `ordering` fields and which `search`
 * fields each list takes (as the spec lists them), paged DRF-style. `ordering=priority` and
 * `ordering=severity` go from critical to low (the fields' rank, not their spelling).
 */
import { isUpcoming } from "./audits.ts";
import { checklistStatus, completionPercentage } from "./checklists.ts";
import { frameworkProgress, isOverdue, listComplianceItems } from "./compliance-items.ts";
import { listControls, PRIORITY_RANK } from "./controls.ts";
import { type DrfPage, ordered, type PageQuery, paginate, searched } from "./drf.ts";
import { type GrcScope, listEnterprises } from "./enterprises.ts";
import { type Framework, frameworkDisplayName, getFramework, listFrameworks } from "./frameworks.ts";
import { isActiveIncident, SEVERITY_RANK } from "./incidents.ts";
import { listPolicies } from "./policies.ts";
import { type GrcRecord, visibleRecords } from "./records.ts";

type Query = PageQuery & Record<string, unknown>;
type Field = (r: GrcRecord) => string | number | boolean | null | undefined;

const created: Field = (r) => r.createdAt;
const updated: Field = (r) => r.updatedAt;
const doc =
  (k: string): Field =>
  (r) =>
    (r.doc[k] as string | number | null | undefined) ?? null;
const matches = (r: GrcRecord, k: string, v: unknown) => v === undefined || r.doc[k] === v;

export function frameworksPage(q: Query, path: string): DrfPage<Framework> {
  const rows = searched([...listFrameworks()], q.search, [(f) => f.id, (f) => f.name, (f) => f.aliases.join(" ")]);
  const sorted = ordered(rows, q.ordering, { name: (f) => f.name, id: (f) => f.id }, "");
  return paginate(q.ordering ? sorted : rows, q, path, q);
}

export function enterprisesPage(scope: GrcScope, q: Query, path: string): DrfPage<GrcRecord> {
  const rows = searched(listEnterprises(scope), q.search, [doc("name"), doc("description")]);
  return paginate(ordered(rows, q.ordering, { created_at: created, name: doc("name") }, "created_at"), q, path, q);
}

export async function policiesPage(
  scope: GrcScope,
  q: Query & { enterprise?: string; primary_framework?: string },
  path: string,
) {
  const rows = await listPolicies(scope, q);
  return paginate(ordered(rows, q.ordering, { created_at: created, updated_at: updated }, "created_at"), q, path, q);
}

export async function checklistsPage(
  scope: GrcScope,
  q: Query & { enterprise?: string; system_type?: string; status?: string },
  path: string,
) {
  const rows = (await visibleRecords(scope, "checklist", { enterprise: q.enterprise })).filter(
    (r) => matches(r, "system_type", q.system_type) && (q.status === undefined || checklistStatus(r) === q.status),
  );
  const fields = { created_at: created, completion_percentage: completionPercentage, system_type: doc("system_type") };
  return paginate(ordered(rows, q.ordering, fields, "created_at"), q, path, q);
}

const CONTROL_ORDER = {
  created_at: created,
  updated_at: updated,
  priority: (r: GrcRecord) => PRIORITY_RANK[String(r.doc.priority)] ?? 9,
  control_id: doc("control_id"),
};

export async function controlsPage(
  scope: GrcScope,
  q: Query & { enterprise?: string; framework?: string; status?: string; priority?: string; search?: string },
  path: string,
) {
  const rows = (await listControls(scope, q)).filter(
    (r) => matches(r, "status", q.status) && matches(r, "priority", q.priority),
  );
  const found = searched(rows, q.search, [doc("control_id"), doc("name"), doc("description")]);
  return paginate(ordered(found, q.ordering, CONTROL_ORDER, "created_at"), q, path, q);
}

export async function controlsByFrameworkPage(
  scope: GrcScope,
  q: Query & { framework_id: string; enterprise?: string },
  path: string,
) {
  const framework = getFramework(q.framework_id);
  const rows = await listControls(scope, { enterprise: q.enterprise, framework: framework.id });
  return paginate(ordered(rows, q.ordering, CONTROL_ORDER, "control_id"), q, path, q);
}

const AUDIT_ORDER = {
  created_at: created,
  scheduled_date: doc("scheduled_date"),
  start_date: doc("start_date"),
  end_date: doc("end_date"),
};

export async function auditsPage(
  scope: GrcScope,
  q: Query & { enterprise?: string; audit_type?: string; status?: string },
  path: string,
) {
  const rows = (await visibleRecords(scope, "audit", { enterprise: q.enterprise })).filter(
    (r) => matches(r, "audit_type", q.audit_type) && matches(r, "status", q.status),
  );
  return paginate(ordered(rows, q.ordering, AUDIT_ORDER, "-created_at"), q, path, q);
}

export async function upcomingAuditsPage(
  scope: GrcScope,
  q: Query & { days: number; enterprise?: string },
  path: string,
) {
  const now = Date.now();
  const rows = (await visibleRecords(scope, "audit", { enterprise: q.enterprise })).filter((r) =>
    isUpcoming(r, q.days, now),
  );
  return paginate(ordered(rows, q.ordering, AUDIT_ORDER, "scheduled_date"), q, path, q);
}

const INCIDENT_ORDER = {
  created_at: created,
  reported_at: doc("reported_at"),
  resolved_at: doc("resolved_at"),
  severity: (r: GrcRecord) => SEVERITY_RANK[String(r.doc.severity)] ?? 9,
};

export async function incidentsPage(
  scope: GrcScope,
  q: Query & { enterprise?: string; severity?: string; status?: string },
  path: string,
  only: (r: GrcRecord) => boolean = () => true,
) {
  const rows = (await visibleRecords(scope, "incident", { enterprise: q.enterprise })).filter(
    (r) => only(r) && matches(r, "severity", q.severity) && matches(r, "status", q.status),
  );
  return paginate(ordered(rows, q.ordering, INCIDENT_ORDER, "-reported_at"), q, path, q);
}

export const activeIncidentsPage = (scope: GrcScope, q: Query & { enterprise?: string }, path: string) =>
  incidentsPage(scope, q, path, isActiveIncident);

const COMPLIANCE_ORDER = {
  created_at: created,
  deadline: doc("deadline"),
  status_percentage: doc("status_percentage"),
};

export async function compliancePage(
  scope: GrcScope,
  q: Query & { enterprise?: string; framework?: string; status?: string; search?: string },
  path: string,
  only: (r: GrcRecord) => boolean = () => true,
) {
  const rows = (await listComplianceItems(scope, q)).filter((r) => only(r) && matches(r, "status", q.status));
  const found = searched(rows, q.search, [doc("requirement_name"), doc("description")]);
  return paginate(ordered(found, q.ordering, COMPLIANCE_ORDER, "created_at"), q, path, q);
}

export const overduePage = (scope: GrcScope, q: Query & { enterprise?: string }, path: string) =>
  compliancePage(scope, { ordering: "deadline", ...q }, path, (r) => isOverdue(r));

export async function complianceByFramework(scope: GrcScope, q: { framework_id: string; enterprise?: string }) {
  const framework = getFramework(q.framework_id);
  const items = await listComplianceItems(scope, { enterprise: q.enterprise, framework: framework.id });
  const sorted = ordered(items, undefined, COMPLIANCE_ORDER, "deadline");
  return {
    framework_id: framework.id,
    framework_name: frameworkDisplayName(framework.id),
    ...frameworkProgress(items),
    items: sorted,
  };
}
