/**
 * Table stream → the audit hash chain. Request functions append audit records with one PutItem
 * each and no lock; this worker links them, per tenant, in id order: seq, the previous record's
 * chain value, its own, and a checkpoint every 1,000 records (shared/audit/db/trail.ts). Writes
 * are conditional, so two concurrent invocations never fork a chain. A failure throws: the stream
 * retries the batch, and any record a failed run left behind is linked by the next run anyway.
 */
import type { DynamoDBStreamEvent } from "aws-lambda";
import { linkAuditFromStream } from "#shared/audit/trail.ts";
import { log } from "#shared/kit/log.ts";

export async function handler(event: DynamoDBStreamEvent): Promise<void> {
  const results = await linkAuditFromStream(event);
  for (const [tenantId, r] of results) {
    log.info("audit records linked", { tenantId, linked: r.linked, seq: r.seq, checkpoints: r.checkpoints });
  }
}
