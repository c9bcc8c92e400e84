/**
 * Hardening checklists: a new checklist starts from its system type's template unless items are
 * given. `completion_percentage` is the share of completed items (rounded down, so 100 means every
 * item); `status` is `verified` while a verification stands, otherwise `incomplete` with no item
 * done and `in_progress` after the first. Changing the items withdraws a verification; verifying
 * needs every item completed (409 naming how many are open).
 */
import type { Principal } from "#shared/identity/principal.ts";
import { Conflict } from "#shared/kit/errors.ts";
import { checklistTemplate } from "./checklist-templates.ts";
import type { GrcScope } from "./enterprises.ts";
import { applyPatch, type Changes, createRecord, type GrcRecord, saveRecord, visibleRecord } from "./records.ts";
import type { ChecklistCreate, ChecklistPatch } from "./schemas.ts";

export interface ChecklistItem {
  id: string;
  title: string;
  description: string;
  completed: boolean;
  priority: string;
  category: string;
}

export function itemsOf(r: GrcRecord): ChecklistItem[] {
  return (r.doc.items as ChecklistItem[] | undefined) ?? [];
}

export function completionPercentage(r: GrcRecord): number {
  const items = itemsOf(r);
  if (items.length === 0) return 0;
  return Math.floor((100 * items.filter((i) => i.completed).length) / items.length);
}

export function checklistStatus(r: GrcRecord): "incomplete" | "in_progress" | "verified" {
  if (r.doc.last_verified_at) return "verified";
  return itemsOf(r).some((i) => i.completed) ? "in_progress" : "incomplete";
}

export async function createChecklist(scope: GrcScope, input: ChecklistCreate): Promise<GrcRecord> {
  const template = checklistTemplate(input.system_type);
  const doc = {
    system_type: input.system_type,
    name: input.name ?? template?.name ?? `${input.system_type} hardening`,
    description: input.description ?? template?.description ?? "",
    items: input.items ?? template?.items.map((i) => ({ ...i, completed: false })) ?? [],
    last_verified_at: null,
    verified_by: null,
    verified_by_username: null,
  };
  assertUniqueItemIds(doc.items);
  return createRecord(scope, "checklist", { enterprise: input.enterprise, doc });
}

function assertUniqueItemIds(items: { id: string }[]): void {
  const seen = new Set<string>();
  for (const i of items) {
    if (seen.has(i.id)) throw new Conflict(`items: the id '${i.id}' is used twice`);
    seen.add(i.id);
  }
}

export async function updateChecklist(
  scope: GrcScope,
  id: string,
  input: ChecklistPatch & { system_type?: string },
): Promise<{ record: GrcRecord; changes: Changes }> {
  const r = await visibleRecord(scope, "checklist", id);
  const patch: Record<string, unknown> = { ...input };
  // A PUT without items keeps the checklist's items (its template is where they came from).
  if (patch.items === null) delete patch.items;
  if (patch.name === null) delete patch.name;
  if (patch.description === null) delete patch.description;
  const { doc, changes } = applyPatch(r.doc, patch);
  if (changes.items) {
    assertUniqueItemIds(doc.items as ChecklistItem[]);
    if (doc.last_verified_at) {
      changes.last_verified_at = { old: doc.last_verified_at, new: null };
      Object.assign(doc, { last_verified_at: null, verified_by: null, verified_by_username: null });
    }
  }
  return { record: await saveRecord(r, doc, changes), changes };
}

export async function verifyChecklist(scope: GrcScope, id: string, by: Principal): Promise<GrcRecord> {
  const r = await visibleRecord(scope, "checklist", id);
  const open = itemsOf(r).filter((i) => !i.completed).length;
  if (open > 0) throw new Conflict(`Checklist ${id} has ${open} open item(s); complete every item before verifying`);
  const doc = {
    ...r.doc,
    last_verified_at: new Date().toISOString(),
    verified_by: by.userId,
    verified_by_username: by.username,
  };
  return saveRecord(r, doc, { last_verified_at: { old: r.doc.last_verified_at, new: doc.last_verified_at } });
}
