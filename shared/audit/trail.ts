/**
 * The audit trail as other areas and the endpoint kit see it: append (every mutation and auth
 * event), read a time range, verify the hash chain, a user's recent activity, the records a
 * table-stream batch carries, and the linker the stream runs. The chain itself (keys, hashing,
 * head, checkpoints) is db/trail.ts.
 */
import type { DynamoDBStreamEvent } from "aws-lambda";
import { log } from "#shared/kit/log.ts";
import { insertedItems } from "#shared/table/stream.ts";
import { AuditRecord, type LinkResult, linkAuditChain, tenantOfAuditPartition } from "./db/trail.ts";

export {
  type ActivityEntry,
  AUDIT_DAY_PARTITION_PATTERNS,
  AUDIT_INSERT_ATTRIBUTES,
  AUDIT_PARTITION_PATTERNS,
  type AuditEntry,
  AuditRecord,
  appendAudit,
  type ChainReport,
  type LinkResult,
  linkAuditChain,
  readAudit,
  recentActivityOf,
  tenantAuditDayPartitions,
  tenantAuditHeadPartition,
  tenantAuditPartitions,
  verifyAuditChain,
} from "./db/trail.ts";

/** The audit records among a stream batch's inserts, with their tenant (from the partition key). */
export function auditRecordsFromStream(event: DynamoDBStreamEvent): { tenantId: string; record: AuditRecord }[] {
  const out: { tenantId: string; record: AuditRecord }[] = [];
  for (const item of insertedItems(event)) {
    if (item.type !== "Audit") continue;
    const tenantId = tenantOfAuditPartition(item.PK);
    const parsed = AuditRecord.safeParse(item);
    if (!tenantId || !parsed.success) {
      log.error("unreadable audit record in stream", { pk: item.PK, sk: item.SK });
      continue;
    }
    out.push({ tenantId, record: parsed.data });
  }
  return out;
}

/**
 * The linker's stream entry: every tenant with audit inserts in the batch gets its unlinked
 * records linked (the batch's own inserts are passed along, in case the unlinked index lags).
 * Tenants are linked one after another; a failure throws so the stream retries the batch.
 */
export async function linkAuditFromStream(event: DynamoDBStreamEvent): Promise<Map<string, LinkResult>> {
  const byTenant = new Map<string, Record<string, unknown>[]>();
  for (const item of insertedItems(event)) {
    const tenantId = item.type === "Audit" ? tenantOfAuditPartition(item.PK) : undefined;
    if (!tenantId) continue;
    byTenant.set(tenantId, [...(byTenant.get(tenantId) ?? []), item]);
  }
  const out = new Map<string, LinkResult>();
  for (const [tenantId, hints] of byTenant) out.set(tenantId, await linkAuditChain(tenantId, { hints }));
  return out;
}
