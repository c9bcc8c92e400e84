/**
 * Alerts: one per failing (account, check, resource). A scan reconciles them with what it found —
 * a new failure opens an alert (`alert.created`), a failure that is gone resolves it
 * (`alert.resolved`), a suppressed one stays suppressed until its expiry, after which the next scan
 * that still finds the problem reopens it. People move alerts open → acknowledged → resolved, or
 * suppress one as a governed exception: with a reason and an expiry, never forever.
 */
import { Conflict, Invalid, NotFound } from "#shared/kit/errors.ts";
import { type AlertItem, getAlert, listAlerts, newAlertId, putAlert, updateAlert } from "./db/alerts.ts";
import type { StoredFinding } from "./findings.ts";
import type { AlertStatus, AlertUpdate } from "./schemas.ts";

export type { AlertItem } from "./db/alerts.ts";

/** Suppression may last at most this long: an exception is reviewed at least once a year. */
const MAX_SUPPRESSION_MS = 366 * 86_400_000;

/**
 * The moves people may make. Setting the status an alert already has is allowed (a retried PATCH,
 * new notes, a suppression's reason or expiry renewed); a resolved alert can only be reopened.
 */
const TRANSITIONS: Record<AlertStatus, readonly AlertStatus[]> = {
  open: ["open", "acknowledged", "resolved", "suppressed"],
  acknowledged: ["acknowledged", "open", "resolved", "suppressed"],
  resolved: ["resolved", "open"],
  suppressed: ["suppressed", "open", "resolved"],
};

/** An open alert holds no resolution and no suppression: a new one, and one (re)opened, by a scan or by a person. */
const NO_RESOLUTION_OR_SUPPRESSION = {
  resolvedAt: null,
  resolvedBy: null,
  resolvedHow: null,
  suppressedReason: null,
  suppressedUntil: null,
  suppressedBy: null,
} as const satisfies Partial<AlertItem>;

export interface Reconciled {
  created: AlertItem[];
  resolved: AlertItem[];
  updated: number;
}

/**
 * Brings the account's alerts in line with a scan's findings. `covered(service, region)` says
 * whether the scan really looked there (a skipped unit resolves nothing).
 */
export async function reconcileAlerts(
  tenantId: string,
  scan: { id: string; provider: string; accountId: string },
  findings: readonly StoredFinding[],
  covered: (service: string, region: string) => boolean,
  now = new Date(),
): Promise<Reconciled> {
  const at = now.toISOString();
  const existing = new Map(
    (await listAlerts(tenantId)).filter((a) => a.accountId === scan.accountId).map((a) => [a.key, a]),
  );
  const failing = findings.filter((f) => f.status === "FAIL");
  const failingKeys = new Set(failing.map((f) => f.key));
  const out: Reconciled = { created: [], resolved: [], updated: 0 };

  for (const f of failing) {
    const a = existing.get(f.key);
    const seen = { scanId: scan.id, updatedAt: at, riskScore: f.risk_score, description: f.description };
    if (!a) {
      const alert: AlertItem = {
        id: await newAlertId(tenantId),
        key: f.key,
        accountId: scan.accountId,
        provider: scan.provider,
        checkId: f.finding_id,
        title: f.title,
        description: f.description,
        severity: f.severity,
        status: "open",
        resourceId: f.resource_id,
        resourceType: f.resource_type,
        service: f.service,
        region: f.region,
        riskScore: f.risk_score,
        complianceViolations: f.compliance_violations,
        createdAt: at,
        updatedAt: at,
        scanId: scan.id,
        firstScanId: scan.id,
        acknowledgedAt: null,
        acknowledgedBy: null,
        ...NO_RESOLUTION_OR_SUPPRESSION,
        notes: null,
        openings: 1,
      };
      await putAlert(tenantId, alert);
      out.created.push(alert);
      continue;
    }
    const expired = a.status === "suppressed" && (!a.suppressedUntil || Date.parse(a.suppressedUntil) <= now.getTime());
    if (a.status === "resolved" || expired) {
      const reopened = await updateAlert(
        tenantId,
        a.id,
        { status: a.status, updatedAt: a.updatedAt },
        {
          ...seen,
          status: "open",
          ...NO_RESOLUTION_OR_SUPPRESSION,
          openings: a.openings + 1,
        },
      );
      if (reopened) out.created.push(reopened);
      continue;
    }
    if (await updateAlert(tenantId, a.id, { status: a.status }, seen)) out.updated++;
  }

  for (const a of existing.values()) {
    if (failingKeys.has(a.key)) continue;
    if (a.status !== "open" && a.status !== "acknowledged") continue;
    if (!covered(a.service, a.region)) continue;
    const resolved = await updateAlert(
      tenantId,
      a.id,
      { status: a.status, updatedAt: a.updatedAt },
      { status: "resolved", resolvedAt: at, resolvedBy: null, resolvedHow: "scan", scanId: scan.id, updatedAt: at },
    );
    if (resolved) out.resolved.push(resolved);
  }
  return out;
}

export async function alertsOf(tenantId: string): Promise<AlertItem[]> {
  return (await listAlerts(tenantId)).sort((a, b) => b.id - a.id);
}

function checkUpdate(u: AlertUpdate, now: Date): void {
  if (u.status === "suppressed") {
    const issues = [];
    if (!u.reason)
      issues.push({ loc: ["body", "reason"], msg: "a suppression needs a reason", type: "value_error.missing" });
    if (!u.expires_at)
      issues.push({ loc: ["body", "expires_at"], msg: "a suppression needs an expiry", type: "value_error.missing" });
    else {
      const until = Date.parse(u.expires_at);
      if (until <= now.getTime())
        issues.push({ loc: ["body", "expires_at"], msg: "must be in the future", type: "value_error" });
      else if (until - now.getTime() > MAX_SUPPRESSION_MS)
        issues.push({ loc: ["body", "expires_at"], msg: "at most one year ahead", type: "value_error" });
    }
    if (issues.length) throw new Invalid("suppressing an alert needs a reason and an expiry", issues);
  } else if (u.reason !== undefined || u.expires_at !== undefined) {
    const field = u.reason !== undefined ? "reason" : "expires_at";
    throw new Invalid(`${field} applies to suppression only`, [
      { loc: ["body", field], msg: `only with status "suppressed"`, type: "value_error" },
    ]);
  }
}

/** Validates an update on its own (the bulk route checks it once, before touching any alert). */
export const validateAlertUpdate = (u: AlertUpdate, now = new Date()) => checkUpdate(u, now);

/** One alert's status change by a person; 404 for an alert not the tenant's, 409 for a move the workflow forbids. */
export async function changeAlertStatus(
  tenantId: string,
  id: number,
  u: AlertUpdate,
  by: number,
  now = new Date(),
): Promise<AlertItem> {
  checkUpdate(u, now);
  const a = await getAlert(tenantId, id);
  if (!a) throw new NotFound("Alert not found");
  if (!TRANSITIONS[a.status].includes(u.status)) {
    throw new Conflict(`An alert that is ${a.status} cannot become ${u.status}`);
  }
  const at = now.toISOString();
  const changes: Partial<AlertItem> = { status: u.status, updatedAt: at };
  if (u.notes !== undefined) changes.notes = u.notes;
  if (u.status === "acknowledged") Object.assign(changes, { acknowledgedAt: at, acknowledgedBy: by });
  if (u.status === "resolved") Object.assign(changes, { resolvedAt: at, resolvedBy: by, resolvedHow: "user" });
  if (u.status === "suppressed")
    Object.assign(changes, { suppressedReason: u.reason, suppressedUntil: u.expires_at, suppressedBy: by });
  if (u.status === "open") Object.assign(changes, NO_RESOLUTION_OR_SUPPRESSION);
  const after = await updateAlert(tenantId, id, { status: a.status, updatedAt: a.updatedAt }, changes);
  if (!after) throw new Conflict("The alert changed meanwhile; read it again and retry");
  return after;
}

export interface BulkOutcome {
  updated: AlertItem[];
  failed: { id: number; detail: string }[];
}

/** Each alert on its own: one that cannot change is reported, the others change. */
export async function bulkChangeAlerts(
  tenantId: string,
  ids: readonly number[],
  u: AlertUpdate,
  by: number,
  now = new Date(),
): Promise<BulkOutcome> {
  checkUpdate(u, now);
  const out: BulkOutcome = { updated: [], failed: [] };
  for (const id of new Set(ids)) {
    try {
      out.updated.push(await changeAlertStatus(tenantId, id, u, by, now));
    } catch (e) {
      if (e instanceof NotFound || e instanceof Conflict) out.failed.push({ id, detail: e.message });
      else throw e;
    }
  }
  return out;
}

const DAY = 86_400_000;
const dayOf = (iso: string | null) => (iso ? iso.slice(0, 10) : null);

export interface AlertStats {
  total_alerts: number;
  by_severity: Record<string, number>;
  by_status: Record<string, number>;
  by_service: Record<string, number>;
  trends: { new_today: number; resolved_today: number; weekly_trend: number };
}

/**
 * Counts, and trends from the alerts' own history: `new_today` opened today (UTC), `resolved_today`
 * resolved today, `weekly_trend` the net change of open alerts over the last 7 days (opened minus
 * resolved; negative means the backlog shrinks).
 */
export function alertStats(alerts: readonly AlertItem[], now = new Date()): AlertStats {
  const today = now.toISOString().slice(0, 10);
  const weekAgo = now.getTime() - 7 * DAY;
  const by_severity: Record<string, number> = { critical: 0, high: 0, medium: 0, low: 0, informational: 0 };
  const by_status: Record<string, number> = { open: 0, acknowledged: 0, resolved: 0, suppressed: 0 };
  const by_service: Record<string, number> = {};
  let newToday = 0;
  let resolvedToday = 0;
  let openedWeek = 0;
  let resolvedWeek = 0;
  for (const a of alerts) {
    by_severity[a.severity] = (by_severity[a.severity] ?? 0) + 1;
    by_status[a.status] = (by_status[a.status] ?? 0) + 1;
    by_service[a.service] = (by_service[a.service] ?? 0) + 1;
    if (dayOf(a.createdAt) === today) newToday++;
    if (a.status === "resolved" && dayOf(a.resolvedAt) === today) resolvedToday++;
    if (Date.parse(a.createdAt) >= weekAgo) openedWeek++;
    if (a.status === "resolved" && a.resolvedAt && Date.parse(a.resolvedAt) >= weekAgo) resolvedWeek++;
  }
  return {
    total_alerts: alerts.length,
    by_severity,
    by_status,
    by_service,
    trends: { new_today: newToday, resolved_today: resolvedToday, weekly_trend: openedWeek - resolvedWeek },
  };
}

/** Alerts opened per day over the last `days` days, newest first (the dashboard's `alert_trends`). */
export function alertTrends(alerts: readonly AlertItem[], days: number, now = new Date()) {
  const out: { date: string; count: number }[] = [];
  for (let i = 0; i < days; i++) {
    const date = new Date(now.getTime() - i * DAY).toISOString().slice(0, 10);
    out.push({ date, count: alerts.filter((a) => dayOf(a.createdAt) === date).length });
  }
  return out;
}
