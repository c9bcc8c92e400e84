/**
 * Live evidence: which controls are bound to which evidence checks, and what each evaluation saw.
 *
 * Access patterns:
 * - a tenant's bindings, all or of one check: Query `T#<tenant>#GRC#BINDING` (begins_with `<check>#`);
 * - a control's evidence, newest first: Query `T#<tenant>#GRC#EVIDENCE#<control>` descending
 *   (records expire after EVIDENCE_TTL_DAYS through the table's TTL);
 * - the tenants that have any binding, for the scheduled re-evaluation: Query `G#GRC#EVIDENCE-TENANTS`
 *   (a pointer per tenant and nothing else: the tenant is what the schedule does not know yet).
 */

import { PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "zod/mini";
import { db, tableName } from "#shared/table/client.ts";
import { tenantPk } from "#shared/table/keys.ts";
import { type Item, newItemPut, queryAll, queryPage, transact } from "#shared/table/repo.ts";

export const EVIDENCE_TTL_DAYS = 400;
const TENANTS_PK = "G#GRC#EVIDENCE-TENANTS";

export const evidenceKeys = {
  binding: (tenantId: string, check: string, control: string) => ({
    PK: `${tenantPk(tenantId)}#GRC#BINDING`,
    SK: `${check}#${control}`,
  }),
  bindings: (tenantId: string) => `${tenantPk(tenantId)}#GRC#BINDING`,
  evidence: (tenantId: string, control: string, collectedAt: string, id: string) => ({
    PK: `${tenantPk(tenantId)}#GRC#EVIDENCE#${control}`,
    SK: `${collectedAt}#${id}`,
  }),
  evidenceOf: (tenantId: string, control: string) => `${tenantPk(tenantId)}#GRC#EVIDENCE#${control}`,
  tenant: (tenantId: string) => ({ PK: TENANTS_PK, SK: tenantId }),
};

export const BindingItem = z.object({ tenantId: z.string(), check: z.string(), control: z.string() });
export type Binding = z.infer<typeof BindingItem>;

export const EvidenceItem = z.object({
  tenantId: z.string(),
  id: z.string(),
  control: z.string(),
  check: z.string(),
  result: z.enum(["pass", "fail", "not_available"]),
  reason: z.string(),
  facts: z.record(z.string(), z.unknown()),
  collectedAt: z.string(),
});
export type EvidenceRecord = z.infer<typeof EvidenceItem>;

/** Binds a control to a check (409 when it already is) and records the tenant for the schedule. */
export async function putBinding(b: Binding): Promise<void> {
  await transact(
    [newItemPut({ ...evidenceKeys.binding(b.tenantId, b.check, b.control), type: "GrcBinding", ...b })],
    [`control ${b.control} is already bound to ${b.check}`],
  );
  await db.send(
    new PutCommand({ TableName: tableName, Item: { ...evidenceKeys.tenant(b.tenantId), type: "Pointer" } }),
  );
}

export async function listBindings(tenantId: string, check?: string): Promise<Binding[]> {
  const items = await queryAll({
    tenantId,
    pk: evidenceKeys.bindings(tenantId),
    ...(check ? { skBeginsWith: `${check}#` } : {}),
    consistent: true,
  });
  return items.map((i) => BindingItem.parse(i));
}

export async function putEvidence(e: EvidenceRecord): Promise<void> {
  const expiresAt = Math.floor(Date.parse(e.collectedAt) / 1000) + EVIDENCE_TTL_DAYS * 86_400;
  await db.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        ...evidenceKeys.evidence(e.tenantId, e.control, e.collectedAt, e.id),
        type: "GrcEvidence",
        ...e,
        expiresAt,
      },
    }),
  );
}

/** A control's evidence, newest first (at most `limit`). */
export async function listEvidence(tenantId: string, control: string, limit = 500): Promise<EvidenceRecord[]> {
  const page = await queryPage({
    tenantId,
    pk: evidenceKeys.evidenceOf(tenantId, control),
    descending: true,
    limit,
    consistent: true,
  });
  return page.items.map((i: Item) => EvidenceItem.parse(i));
}

/** Every tenant with at least one binding (the scheduled re-evaluation walks these). */
export async function boundTenants(): Promise<string[]> {
  const out: string[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: "PK = :pk",
        ExpressionAttributeValues: { ":pk": TENANTS_PK },
        ExclusiveStartKey: start,
      }),
    );
    for (const i of page.Items ?? []) out.push(String(i.SK));
    start = page.LastEvaluatedKey;
  } while (start);
  return out;
}
