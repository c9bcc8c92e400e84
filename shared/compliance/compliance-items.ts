/**
 * Compliance items: a requirement the enterprise must meet by a deadline, owned by a user of the
 * tenant. `completed` means 100 % with a completion date; an item is overdue when its deadline
 * has passed (UTC date) and it is not completed.
 */
import { getUserSummary } from "#shared/identity/users.ts";
import { Conflict, Invalid } from "#shared/kit/errors.ts";
import type { GrcScope } from "./enterprises.ts";
import { frameworkFilter, requireFramework } from "./frameworks.ts";
import {
  applyPatch,
  type Changes,
  createRecord,
  type GrcRecord,
  saveRecord,
  visibleRecord,
  visibleRecords,
} from "./records.ts";
import type { ComplianceCreate, CompliancePatch } from "./schemas.ts";

const today = () => new Date().toISOString().slice(0, 10);

async function ownerName(tenantId: string, owner: number | null | undefined): Promise<string | null> {
  if (owner === null || owner === undefined) return null;
  const u = await getUserSummary(tenantId, owner);
  if (!u) {
    throw new Invalid(`owner: no user ${owner} in this organization`, [
      { loc: ["body", "owner"], msg: "no such user", type: "value_error" },
    ]);
  }
  return u.username;
}

/** Keeps status, percentage and completion date consistent with each other. */
function settle(doc: Record<string, unknown>, changes: Changes): void {
  if (changes.status && doc.status === "completed") {
    doc.status_percentage = 100;
    doc.completed_date ??= today();
  } else if (changes.status_percentage && doc.status_percentage === 100 && doc.status !== "completed") {
    doc.status = "completed";
    doc.completed_date ??= today();
  } else if (doc.status !== "completed") {
    doc.completed_date = null;
    if (doc.status_percentage === 100) doc.status_percentage = 99;
  }
  if (doc.status === "not_started" && Number(doc.status_percentage) > 0) doc.status = "in_progress";
}

export async function createComplianceItem(scope: GrcScope, input: ComplianceCreate): Promise<GrcRecord> {
  const { enterprise, ...fields } = input;
  const framework = fields.framework ? requireFramework(fields.framework, ["body", "framework"]).id : undefined;
  const doc: Record<string, unknown> = {
    ...fields,
    framework: framework ?? null,
    completed_date: null,
    owner_username: await ownerName(scope.tenantId, fields.owner),
  };
  settle(doc, { status: { old: null, new: doc.status }, status_percentage: { old: null, new: doc.status_percentage } });
  return createRecord(scope, "compliance", { enterprise, framework, doc });
}

export async function updateComplianceItem(
  scope: GrcScope,
  id: string,
  input: CompliancePatch,
): Promise<{ record: GrcRecord; changes: Changes }> {
  const r = await visibleRecord(scope, "compliance", id);
  const patch: Record<string, unknown> = { ...input };
  if (input.framework) patch.framework = requireFramework(input.framework, ["body", "framework"]).id;
  if (input.owner !== undefined) patch.owner_username = await ownerName(scope.tenantId, input.owner);
  const { doc, changes } = applyPatch(r.doc, patch);
  settle(doc, changes);
  const framework = (doc.framework as string | null) ?? undefined;
  return { record: await saveRecord(r, doc, changes, framework), changes };
}

export async function markCompleted(scope: GrcScope, id: string): Promise<GrcRecord> {
  const r = await visibleRecord(scope, "compliance", id);
  if (r.doc.status === "completed") throw new Conflict(`Compliance item ${id} is already completed`);
  const doc = { ...r.doc, status: "completed", status_percentage: 100, completed_date: today() };
  return saveRecord(r, doc, { status: { old: r.doc.status, new: "completed" } });
}

export function isOverdue(r: GrcRecord, on = today()): boolean {
  return typeof r.doc.deadline === "string" && r.doc.deadline < on && r.doc.status !== "completed";
}

export async function listComplianceItems(scope: GrcScope, q: { enterprise?: string; framework?: string }) {
  return visibleRecords(scope, "compliance", { enterprise: q.enterprise, framework: frameworkFilter(q.framework) });
}

export function frameworkProgress(items: GrcRecord[]) {
  const count = (s: string) => items.filter((i) => i.doc.status === s).length;
  const total = items.length;
  const completed = count("completed");
  return {
    total,
    completed,
    in_progress: count("in_progress"),
    not_started: count("not_started"),
    overall_percentage: total === 0 ? 0 : Math.round((10_000 * completed) / total) / 100,
  };
}
