/**
 * The security dashboards, computed from the records on each request.
 *
 * Compliance score (0–100, two decimals), weighted by control priority:
 *
 *     score = 100 × Σ weight(c) × credit(c) / Σ weight(c)      over the enterprise's controls c
 *     weight: critical 4, high 3, medium 2, low 1
 *     credit: verified 1, implemented 0.5, not_implemented 0
 *
 * An implemented control counts half until it is verified (by a person or by live evidence); a
 * control whose evidence fails drops to implemented and so loses half its weight at once. With no
 * controls the score is 0: nothing is shown to be in place.
 *
 * Cost: the overview reads the tenant's enterprises and then each record kind it needs once
 * (policies, controls, incidents, audits) — one Query per kind for an administrator, one per
 * kind and enterprise for a member — however many enterprises there are.
 */
import { isUpcoming } from "./audits.ts";
import { frameworkProgress, isOverdue } from "./compliance-items.ts";
import { enterpriseFilter, enterpriseName, type GrcScope } from "./enterprises.ts";
import { frameworkDisplayName } from "./frameworks.ts";
import { bySeverity, isActiveIncident, timeToResolveMinutes } from "./incidents.ts";
import { type GrcRecord, type RecordKind, visibleRecords } from "./records.ts";

export const PRIORITY_WEIGHT: Record<string, number> = { critical: 4, high: 3, medium: 2, low: 1 };
export const STATUS_CREDIT: Record<string, number> = { verified: 1, implemented: 0.5, not_implemented: 0 };

export function complianceScore(controls: GrcRecord[]): number {
  let total = 0;
  let earned = 0;
  for (const c of controls) {
    const w = PRIORITY_WEIGHT[String(c.doc.priority)] ?? 1;
    total += w;
    earned += w * (STATUS_CREDIT[String(c.doc.status)] ?? 0);
  }
  return total === 0 ? 0 : Math.round((10_000 * earned) / total) / 100;
}

const pct = (n: number, d: number) => (d === 0 ? 0 : Math.round((10_000 * n) / d) / 100);
const DAY = 86_400_000;

function groupBy(records: GrcRecord[]): Map<string, GrcRecord[]> {
  const m = new Map<string, GrcRecord[]>();
  for (const r of records) m.set(r.enterprise, [...(m.get(r.enterprise) ?? []), r]);
  return m;
}

async function load(scope: GrcScope, kinds: RecordKind[], enterprise?: string) {
  const e = enterpriseFilter(scope, enterprise);
  const lists = await Promise.all(kinds.map((k) => visibleRecords(scope, k, { enterprise: e })));
  return Object.fromEntries(kinds.map((k, i) => [k, lists[i] ?? []])) as Record<RecordKind, GrcRecord[]>;
}

function enterprisesOf(scope: GrcScope, enterprise?: string) {
  return scope.all.filter((e) => scope.visible.has(e.id) && (enterprise === undefined || e.id === enterprise));
}

export async function overview(scope: GrcScope) {
  const data = await load(scope, ["policy", "control", "incident", "audit"]);
  const [policies, controls, incidents, audits] = [data.policy, data.control, data.incident, data.audit].map(groupBy);
  const now = Date.now();
  const enterprises = enterprisesOf(scope).map((e) => {
    const c = controls?.get(e.id) ?? [];
    const i = (incidents?.get(e.id) ?? []).filter(isActiveIncident);
    const a = audits?.get(e.id) ?? [];
    const verified = c.filter((x) => x.doc.status === "verified").length;
    return {
      id: e.id,
      name: String(e.doc.name),
      security: {
        policy_active: (policies?.get(e.id) ?? []).length > 0,
        controls: { total: c.length, verified, percentage: pct(verified, c.length) },
        incidents: {
          active: i.length,
          critical: i.filter((x) => x.doc.severity === "critical").length,
          high: i.filter((x) => x.doc.severity === "high").length,
        },
        audits: {
          upcoming: a.filter((x) => isUpcoming(x, 30, now)).length,
          recent: a.filter((x) => x.doc.status === "completed" && Date.parse(String(x.doc.end_date)) >= now - 90 * DAY)
            .length,
        },
        compliance_score: complianceScore(c),
      },
    };
  });
  const sum = (f: (e: (typeof enterprises)[number]) => number) => enterprises.reduce((n, e) => n + f(e), 0);
  return {
    enterprises,
    summary: {
      total_enterprises: enterprises.length,
      policies_active: sum((e) => (e.security.policy_active ? 1 : 0)),
      controls_total: sum((e) => e.security.controls.total),
      controls_verified: sum((e) => e.security.controls.verified),
      active_incidents: sum((e) => e.security.incidents.active),
      upcoming_audits: sum((e) => e.security.audits.upcoming),
      compliance_score: complianceScore(data.control),
    },
  };
}

export async function complianceDashboard(scope: GrcScope, enterprise?: string) {
  const data = await load(scope, ["control", "compliance"], enterprise);
  const frameworks = new Map<string, GrcRecord[]>();
  for (const c of data.control) {
    const f = c.framework ?? "custom";
    frameworks.set(f, [...(frameworks.get(f) ?? []), c]);
  }
  const count = (rs: GrcRecord[], s: string) => rs.filter((r) => r.doc.status === s).length;
  return {
    enterprise_id: enterprise ?? null,
    compliance_score: complianceScore(data.control),
    controls: {
      total: data.control.length,
      verified: count(data.control, "verified"),
      implemented: count(data.control, "implemented"),
      not_implemented: count(data.control, "not_implemented"),
      percentage: pct(count(data.control, "verified"), data.control.length),
    },
    frameworks: [...frameworks.entries()].map(([id, cs]) => ({
      framework_id: id === "custom" ? null : id,
      framework_name: id === "custom" ? "Custom controls" : (frameworkDisplayName(id) ?? id),
      total: cs.length,
      verified: count(cs, "verified"),
      compliance_score: complianceScore(cs),
    })),
    items: { ...frameworkProgress(data.compliance), overdue: data.compliance.filter((i) => isOverdue(i)).length },
    /** Controls that lost their verification to failing live evidence, newest first. */
    failing_evidence: data.control
      .filter((c) => typeof c.doc.status_reason === "string" && c.doc.status_reason)
      .sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : -1))
      .slice(0, 20)
      .map((c) => ({
        control: c.id,
        control_id: String(c.doc.control_id),
        enterprise: c.enterprise,
        enterprise_name: enterpriseName(scope, c.enterprise),
        reason: String(c.doc.status_reason),
        since: c.updatedAt,
      })),
  };
}

export async function incidentsDashboard(scope: GrcScope, enterprise?: string) {
  const { incident } = await load(scope, ["incident"], enterprise);
  const resolved = incident.map(timeToResolveMinutes).filter((m): m is number => m !== null);
  const byStatus = { reported: 0, investigating: 0, contained: 0, resolved: 0 } as Record<string, number>;
  for (const i of incident) byStatus[String(i.doc.status)] = (byStatus[String(i.doc.status)] ?? 0) + 1;
  return {
    enterprise_id: enterprise ?? null,
    total: incident.length,
    active: incident.filter(isActiveIncident).length,
    by_status: byStatus,
    active_by_severity: bySeverity(incident),
    mean_time_to_resolve_minutes: resolved.length
      ? Math.round(resolved.reduce((a, b) => a + b, 0) / resolved.length)
      : null,
    recent: [...incident].sort((a, b) => (String(a.doc.reported_at) < String(b.doc.reported_at) ? 1 : -1)).slice(0, 10),
  };
}

export async function auditsDashboard(scope: GrcScope, enterprise: string | undefined, days: number) {
  const { audit } = await load(scope, ["audit"], enterprise);
  const now = Date.now();
  const completed = audit.filter((a) => a.doc.status === "completed");
  const n = (f: string) => completed.reduce((s, a) => s + Number(a.doc[f] ?? 0), 0);
  return {
    enterprise_id: enterprise ?? null,
    days,
    upcoming: audit
      .filter((a) => isUpcoming(a, days, now))
      .sort((a, b) => (String(a.doc.scheduled_date) < String(b.doc.scheduled_date) ? -1 : 1)),
    in_progress: audit.filter((a) => a.doc.status === "in_progress"),
    on_hold: audit.filter((a) => a.doc.status === "on_hold").length,
    completed_recently: completed.filter((a) => Date.parse(String(a.doc.end_date)) >= now - days * DAY).length,
    findings: {
      total: n("findings_count"),
      critical: n("critical_findings"),
      high: n("high_findings"),
      medium: n("medium_findings"),
      low: n("low_findings"),
    },
  };
}
