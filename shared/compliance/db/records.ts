/**
 * GRC records: enterprises, policies, checklists, controls, audits, incidents and compliance
 * items. One item per record; the record's fields (`doc`) keep the GRC spec's snake_case shape —
 * they are the spec's documents, validated on the way in by the area's schemas and on the way out
 * by its views — while the keys and bookkeeping around them are the table's.
 *
 * Access patterns (all Queries, never a Scan):
 * - one record: GetItem `T#<tenant>#GRC#<KIND>` / `<id>`;
 * - a tenant's records of a kind: Query on `T#<tenant>#GRC#<KIND>`;
 * - by enterprise: GSI1 `T#<tenant>#GRC#<KIND>#E#<enterprise>`, sorted by creation;
 * - by framework: GSI2 `T#<tenant>#GRC#<KIND>#F#<framework>`, sorted by creation (controls,
 *   compliance items, policies by primary framework).
 * - at most one policy per enterprise: a guard item `T#<tenant>#GRC#POLICY-OF` / `<enterprise>`
 *   written in the same transaction as the policy.
 */
import * as z from "zod/mini";
import { tenantPk } from "#shared/table/keys.ts";
import {
  deletePut,
  getItem,
  type Item,
  newItemPut,
  queryAll,
  transact,
  versionedUpdateItem,
} from "#shared/table/repo.ts";

export const RecordKind = z.enum(["enterprise", "policy", "checklist", "control", "audit", "incident", "compliance"]);
export type RecordKind = z.infer<typeof RecordKind>;

const part = (kind: RecordKind) => kind.toUpperCase();

export const recordKeys = {
  record: (tenantId: string, kind: RecordKind, id: string) => ({
    PK: `${tenantPk(tenantId)}#GRC#${part(kind)}`,
    SK: id,
  }),
  kind: (tenantId: string, kind: RecordKind) => `${tenantPk(tenantId)}#GRC#${part(kind)}`,
  byEnterprise: (tenantId: string, kind: RecordKind, enterprise: string) =>
    `${tenantPk(tenantId)}#GRC#${part(kind)}#E#${enterprise}`,
  byFramework: (tenantId: string, kind: RecordKind, framework: string) =>
    `${tenantPk(tenantId)}#GRC#${part(kind)}#F#${framework}`,
  policyOf: (tenantId: string, enterprise: string) => ({
    PK: `${tenantPk(tenantId)}#GRC#POLICY-OF`,
    SK: enterprise,
  }),
};

export const RecordItem = z.object({
  type: z.literal("GrcRecord"),
  tenantId: z.string(),
  kind: RecordKind,
  id: z.string(),
  /** The enterprise the record belongs to (an enterprise record: its own id). */
  enterprise: z.string(),
  framework: z.optional(z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
  doc: z.record(z.string(), z.unknown()),
  version: z.number(),
});
export type GrcRecord = z.infer<typeof RecordItem>;
export type NewRecord = Omit<GrcRecord, "type" | "version">;

const parse = (item: Item): GrcRecord => RecordItem.parse(item);

function indexKeys(r: NewRecord): Item {
  const sort = `${r.createdAt}#${r.id}`;
  return {
    GSI1PK: recordKeys.byEnterprise(r.tenantId, r.kind, r.enterprise),
    GSI1SK: sort,
    ...(r.framework ? { GSI2PK: recordKeys.byFramework(r.tenantId, r.kind, r.framework), GSI2SK: sort } : {}),
  };
}

function itemOf(r: NewRecord): Item & { PK: string; SK: string } {
  return { ...recordKeys.record(r.tenantId, r.kind, r.id), type: "GrcRecord", ...indexKeys(r), ...r };
}

export async function getRecord(tenantId: string, kind: RecordKind, id: string): Promise<GrcRecord | undefined> {
  const item = await getItem(recordKeys.record(tenantId, kind, id), true);
  return item ? parse(item) : undefined;
}

export interface RecordScope {
  enterprise?: string;
  framework?: string;
}

/**
 * Every record of a kind, narrowed by the most selective index the scope allows: a framework
 * (GSI2), an enterprise (GSI1), or the kind's own partition.
 */
export async function listRecords(tenantId: string, kind: RecordKind, scope: RecordScope = {}): Promise<GrcRecord[]> {
  const items = scope.framework
    ? await queryAll({ tenantId, pk: recordKeys.byFramework(tenantId, kind, scope.framework), index: "GSI2" })
    : scope.enterprise
      ? await queryAll({ tenantId, pk: recordKeys.byEnterprise(tenantId, kind, scope.enterprise), index: "GSI1" })
      : await queryAll({ tenantId, pk: recordKeys.kind(tenantId, kind), consistent: true });
  const records = items.map(parse);
  return scope.framework && scope.enterprise ? records.filter((r) => r.enterprise === scope.enterprise) : records;
}

/** Writes new records (all or none); a policy also takes its enterprise's one-policy guard. */
export async function putRecords(records: NewRecord[]): Promise<void> {
  const items = [];
  const conflicts: (string | undefined)[] = [];
  for (const r of records) {
    items.push(newItemPut(itemOf(r)));
    conflicts.push(`${r.kind} ${r.id} already exists`);
    if (r.kind === "policy") {
      items.push(newItemPut({ ...recordKeys.policyOf(r.tenantId, r.enterprise), type: "Guard", policy: r.id }));
      conflicts.push(`enterprise ${r.enterprise} already has a policy`);
    }
  }
  await transact(items, conflicts);
}

/** The id of the policy an enterprise already has, if any (read after a guard clash, to name it). */
export async function policyOfEnterprise(tenantId: string, enterprise: string): Promise<string | undefined> {
  const item = await getItem(recordKeys.policyOf(tenantId, enterprise), true);
  return typeof item?.policy === "string" ? item.policy : undefined;
}

/** Replaces a record's document (and framework) under its optimistic lock. */
export async function updateRecord(
  r: GrcRecord,
  changes: { doc: Record<string, unknown>; framework?: string; updatedAt: string },
): Promise<GrcRecord> {
  const next: GrcRecord = { ...r, doc: changes.doc, framework: changes.framework, updatedAt: changes.updatedAt };
  const keys = indexKeys(next);
  await transact(
    [
      versionedUpdateItem(recordKeys.record(r.tenantId, r.kind, r.id), r.version, {
        doc: next.doc,
        updatedAt: next.updatedAt,
        framework: next.framework,
        GSI2PK: keys.GSI2PK,
        GSI2SK: keys.GSI2SK,
      }),
    ],
    [`${r.kind} ${r.id} was changed by another request; reload and retry`],
  );
  return { ...next, version: r.version + 1 };
}

export async function deleteRecord(r: GrcRecord): Promise<void> {
  await transact([
    deletePut(recordKeys.record(r.tenantId, r.kind, r.id)),
    ...(r.kind === "policy" ? [deletePut(recordKeys.policyOf(r.tenantId, r.enterprise))] : []),
  ]);
}
