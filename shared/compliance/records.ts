/**
 * What every GRC record kind shares: listing what the caller may see (by the narrowest index),
 * creating a record in an enterprise the caller may act in, applying a PATCH or PUT and saying what
 * changed (for the audit trail), and deleting.
 */
import { randomUUID } from "node:crypto";
import {
  deleteRecord,
  type GrcRecord,
  listRecords,
  type NewRecord,
  putRecords,
  type RecordKind,
  updateRecord,
} from "./db/records.ts";
import { enterpriseFilter, type GrcScope, persistEnterprise, requireEnterprise, visibleRecord } from "./enterprises.ts";

export type { GrcRecord, RecordKind } from "./db/records.ts";
export type Changes = Record<string, { old: unknown; new: unknown }>;

export interface ListScope {
  /** The `enterprise` filter as given. */
  enterprise?: string;
  /** A framework id (already resolved). */
  framework?: string;
}

/** Every record of `kind` the caller may see, narrowed by enterprise and framework. */
export async function visibleRecords(scope: GrcScope, kind: RecordKind, q: ListScope = {}): Promise<GrcRecord[]> {
  const enterprise = enterpriseFilter(scope, q.enterprise);
  let records: GrcRecord[];
  if (enterprise !== undefined || q.framework !== undefined || scope.admin) {
    records = await listRecords(scope.tenantId, kind, { enterprise, framework: q.framework });
  } else {
    const parts = await Promise.all(
      [...scope.visible].map((e) => listRecords(scope.tenantId, kind, { enterprise: e })),
    );
    records = parts.flat();
  }
  return records.filter((r) => scope.visible.has(r.enterprise));
}

export async function createRecord(
  scope: GrcScope,
  kind: RecordKind,
  input: { enterprise: string; framework?: string | null; doc: Record<string, unknown> },
): Promise<GrcRecord> {
  requireEnterprise(scope, input.enterprise, ["body", "enterprise"]);
  await persistEnterprise(scope, input.enterprise);
  const now = new Date().toISOString();
  const record: NewRecord = {
    tenantId: scope.tenantId,
    kind,
    id: randomUUID(),
    enterprise: input.enterprise,
    ...(input.framework ? { framework: input.framework } : {}),
    createdAt: now,
    updatedAt: now,
    doc: input.doc,
  };
  await putRecords([record]);
  return { ...record, type: "GrcRecord", version: 1 };
}

/** The fields of `patch` that differ from `doc`, and the document with them applied. */
export function applyPatch(
  doc: Record<string, unknown>,
  patch: Record<string, unknown>,
): { doc: Record<string, unknown>; changes: Changes } {
  const next = { ...doc };
  const changes: Changes = {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) continue;
    if (JSON.stringify(v) !== JSON.stringify(doc[k])) {
      changes[k] = { old: doc[k] ?? null, new: v };
      next[k] = v;
    }
  }
  return { doc: next, changes };
}

/** Saves a record's new document (nothing when nothing changed). */
export async function saveRecord(
  r: GrcRecord,
  doc: Record<string, unknown>,
  changes: Changes,
  framework: string | undefined = r.framework,
): Promise<GrcRecord> {
  if (Object.keys(changes).length === 0 && framework === r.framework) return r;
  return updateRecord(r, { doc, framework, updatedAt: new Date().toISOString() });
}

export async function removeRecord(scope: GrcScope, kind: RecordKind, id: string): Promise<GrcRecord> {
  const r = await visibleRecord(scope, kind, id);
  await deleteRecord(r);
  return r;
}

export { visibleRecord };
