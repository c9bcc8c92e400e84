/**
 * Security audits: `scheduled → in_progress → completed`, with `on_hold` from scheduled or in
 * progress (resumed by start, or put back to scheduled). `start` and `complete` refuse any other
 * move with a 409 naming the current status. Findings: the severity counts sum to at most
 * `findings_count`; the rest are informational.
 */
import { Conflict, Invalid } from "#shared/kit/errors.ts";
import type { GrcScope } from "./enterprises.ts";
import { applyPatch, type Changes, createRecord, type GrcRecord, saveRecord, visibleRecord } from "./records.ts";
import type { AuditComplete, AuditCreate, AuditPatch } from "./schemas.ts";

const NO_FINDINGS = {
  findings_count: 0,
  critical_findings: 0,
  high_findings: 0,
  medium_findings: 0,
  low_findings: 0,
};

export async function createAudit(scope: GrcScope, input: AuditCreate): Promise<GrcRecord> {
  const { enterprise, ...fields } = input;
  return createRecord(scope, "audit", {
    enterprise,
    doc: { ...fields, status: "scheduled", start_date: null, end_date: null, ...NO_FINDINGS },
  });
}

export async function updateAudit(
  scope: GrcScope,
  id: string,
  input: AuditPatch,
): Promise<{ record: GrcRecord; changes: Changes }> {
  const r = await visibleRecord(scope, "audit", id);
  if (input.status !== undefined && input.status !== r.doc.status) {
    const from = r.doc.status;
    const ok = input.status === "on_hold" ? from === "scheduled" || from === "in_progress" : from === "on_hold";
    if (!ok) {
      throw new Conflict(
        `Audit ${id} is ${String(from)}: it cannot be set to ${input.status} (use start/ and complete/ for the lifecycle)`,
      );
    }
  }
  const { doc, changes } = applyPatch(r.doc, input);
  return { record: await saveRecord(r, doc, changes), changes };
}

export async function startAudit(scope: GrcScope, id: string): Promise<GrcRecord> {
  const r = await visibleRecord(scope, "audit", id);
  const from = r.doc.status;
  if (from !== "scheduled" && from !== "on_hold") {
    throw new Conflict(`Audit ${id} is ${String(from)}: only a scheduled or on-hold audit can be started`);
  }
  const doc = { ...r.doc, status: "in_progress", start_date: r.doc.start_date ?? new Date().toISOString() };
  return saveRecord(r, doc, { status: { old: from, new: "in_progress" } });
}

export async function completeAudit(scope: GrcScope, id: string, input: AuditComplete): Promise<GrcRecord> {
  const bySeverity = input.critical_findings + input.high_findings + input.medium_findings + input.low_findings;
  if (bySeverity > input.findings_count) {
    throw new Invalid(
      `findings_count: ${input.findings_count} is less than the ${bySeverity} findings counted by severity`,
      [
        {
          loc: ["body", "findings_count"],
          msg: "must be at least the sum of the severity counts",
          type: "value_error",
        },
      ],
    );
  }
  const r = await visibleRecord(scope, "audit", id);
  if (r.doc.status !== "in_progress") {
    throw new Conflict(`Audit ${id} is ${String(r.doc.status)}: only an audit in progress can be completed`);
  }
  const extra = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
  const doc = { ...r.doc, ...extra, status: "completed", end_date: new Date().toISOString() };
  return saveRecord(r, doc, { status: { old: "in_progress", new: "completed" } });
}

/** Scheduled (or on-hold) audits whose scheduled date falls within the next `days` days. */
export function isUpcoming(r: GrcRecord, days: number, now = Date.now()): boolean {
  const at = typeof r.doc.scheduled_date === "string" ? Date.parse(r.doc.scheduled_date) : Number.NaN;
  return (
    (r.doc.status === "scheduled" || r.doc.status === "on_hold") &&
    at >= now - 86_400_000 / 2 &&
    at <= now + days * 86_400_000
  );
}
