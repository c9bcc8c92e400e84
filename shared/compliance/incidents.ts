/**
 * Security incidents: `reported → investigating → contained → resolved`. update_status moves
 * forward (steps may be skipped: a false alarm goes straight to resolved) or reopens a resolved
 * incident as investigating; anything else is a 409. Each change appends a timeline entry (who,
 * when, from, to, note) and stamps `contained_at`/`resolved_at`; time to resolve is computed from
 * detection (or the report) to resolution.
 */
import type { Principal } from "#shared/identity/principal.ts";
import { Conflict } from "#shared/kit/errors.ts";
import type { GrcScope } from "./enterprises.ts";
import { applyPatch, type Changes, createRecord, type GrcRecord, saveRecord, visibleRecord } from "./records.ts";
import type { IncidentCreate, IncidentPatch } from "./schemas.ts";

export const INCIDENT_ORDER = ["reported", "investigating", "contained", "resolved"] as const;
export const SEVERITY_RANK: Record<string, number> = { critical: 0, high: 1, medium: 2, low: 3 };

export interface TimelineEntry {
  at: string;
  by: string;
  by_user_id: number;
  from: string | null;
  to: string;
  note: string;
}

export async function createIncident(scope: GrcScope, input: IncidentCreate, by: Principal): Promise<GrcRecord> {
  const { enterprise, ...fields } = input;
  const now = new Date().toISOString();
  const first: TimelineEntry = {
    at: now,
    by: by.username,
    by_user_id: by.userId,
    from: null,
    to: "reported",
    note: "",
  };
  return createRecord(scope, "incident", {
    enterprise,
    doc: {
      ...fields,
      status: "reported",
      reported_at: now,
      contained_at: null,
      resolved_at: null,
      reported_by_username: by.username,
      timeline: [first],
    },
  });
}

export async function updateIncident(
  scope: GrcScope,
  id: string,
  input: IncidentPatch,
): Promise<{ record: GrcRecord; changes: Changes }> {
  const r = await visibleRecord(scope, "incident", id);
  const { doc, changes } = applyPatch(r.doc, input);
  return { record: await saveRecord(r, doc, changes), changes };
}

export async function updateIncidentStatus(
  scope: GrcScope,
  id: string,
  input: { status: (typeof INCIDENT_ORDER)[number]; note: string },
  by: Principal,
): Promise<GrcRecord> {
  const r = await visibleRecord(scope, "incident", id);
  const from = String(r.doc.status);
  const a = INCIDENT_ORDER.indexOf(from as (typeof INCIDENT_ORDER)[number]);
  const b = INCIDENT_ORDER.indexOf(input.status);
  const reopen = from === "resolved" && input.status === "investigating";
  if (!(b > a || reopen)) {
    throw new Conflict(
      `Incident ${id} is ${from}: it cannot move to ${input.status} (forward only, or a resolved incident reopened as investigating)`,
    );
  }
  const now = new Date().toISOString();
  const entry: TimelineEntry = {
    at: now,
    by: by.username,
    by_user_id: by.userId,
    from,
    to: input.status,
    note: input.note,
  };
  const doc: Record<string, unknown> = {
    ...r.doc,
    status: input.status,
    timeline: [...((r.doc.timeline as TimelineEntry[] | undefined) ?? []), entry],
  };
  if (input.status === "contained" || (input.status === "resolved" && !r.doc.contained_at)) doc.contained_at = now;
  if (input.status === "resolved") doc.resolved_at = now;
  if (reopen) doc.resolved_at = null;
  return saveRecord(r, doc, { status: { old: from, new: input.status } });
}

/** Minutes from detection (or the report) to resolution; null while unresolved. */
export function timeToResolveMinutes(r: GrcRecord): number | null {
  const end = typeof r.doc.resolved_at === "string" ? Date.parse(r.doc.resolved_at) : Number.NaN;
  const startRaw = (r.doc.detected_at ?? r.doc.reported_at) as string | null;
  const start = startRaw ? Date.parse(startRaw) : Number.NaN;
  if (Number.isNaN(end) || Number.isNaN(start)) return null;
  return Math.max(0, Math.round((end - start) / 60_000));
}

export const isActiveIncident = (r: GrcRecord): boolean => r.doc.status !== "resolved";

/** Active incidents per severity. */
export function bySeverity(records: GrcRecord[]): Record<"critical" | "high" | "medium" | "low", number> {
  const out = { critical: 0, high: 0, medium: 0, low: 0 };
  for (const r of records) {
    const s = r.doc.severity as keyof typeof out;
    if (isActiveIncident(r) && s in out) out[s] += 1;
  }
  return out;
}
