/**
 * Table stream → outgoing webhooks. Every audit record the trail appends arrives here as an INSERT
 * of a `type: "Audit"` item; the records a tenant's webhook subscribes to are delivered, signed,
 * with the tenant's retries and timeout. A delivery that still fails is logged and dropped (the
 * batch is not failed, so one dead endpoint never stalls the stream); a read failure throws, and
 * the stream retries the batch — receivers deduplicate on `X-Webhook-Id`.
 */
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { DynamoDBStreamEvent } from "aws-lambda";
import { AuditRecord } from "#shared/audit/db/trail.ts";
import { config } from "#shared/kit/config.ts";
import { log } from "#shared/kit/log.ts";
import { dispatchWebhooksForAuditRecords } from "#shared/webhooks/dispatch.ts";

const AUDIT_PK = /^T#([^#]+)#AUDIT#\d{4}-\d{2}-\d{2}$/;

/** The audit records among a stream batch's inserts, with their tenant (from the partition key). */
export function auditRecordsFromStream(event: DynamoDBStreamEvent): { tenantId: string; record: AuditRecord }[] {
  const out: { tenantId: string; record: AuditRecord }[] = [];
  for (const r of event.Records) {
    const image = r.dynamodb?.NewImage;
    if (r.eventName !== "INSERT" || !image || image.type?.S !== "Audit") continue;
    // The stream's AttributeValue type and the SDK's describe the same wire format.
    const item = unmarshall(image as Parameters<typeof unmarshall>[0]);
    const tenantId = typeof item.PK === "string" ? AUDIT_PK.exec(item.PK)?.[1] : undefined;
    const parsed = AuditRecord.safeParse(item);
    if (!tenantId || !parsed.success) {
      log.error("unreadable audit record in stream", { pk: item.PK, sk: item.SK });
      continue;
    }
    out.push({ tenantId, record: parsed.data });
  }
  return out;
}

export async function handler(event: DynamoDBStreamEvent): Promise<void> {
  const records = auditRecordsFromStream(event);
  if (records.length === 0) return;
  const outcomes = await dispatchWebhooksForAuditRecords(records, {
    allowPrivate: config.WARDEN_WEBHOOK_ALLOW_PRIVATE,
  });
  log.info("webhooks dispatched", {
    records: records.length,
    delivered: outcomes.filter((o) => o.result.delivered).length,
    failed: outcomes.filter((o) => !o.result.delivered).length,
  });
}
