/**
 * The audit trail as other areas and the endpoint kit see it: append (every mutation and auth
 * event), read a time range, verify the hash chain, a user's recent activity, and the records a
 * table-stream batch carries. The chain itself (keys, hashing, head) is db/trail.ts.
 */
import type { DynamoDBStreamEvent } from "aws-lambda";
import { log } from "#shared/kit/log.ts";
import { insertedItems } from "#shared/table/stream.ts";
import { AuditRecord, tenantOfAuditPartition } from "./db/trail.ts";

export {
  type ActivityEntry,
  AUDIT_PARTITION_PATTERNS,
  type AuditEntry,
  AuditRecord,
  appendAudit,
  type ChainReport,
  readAudit,
  recentActivityOf,
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
