/**
 * Table stream → outgoing webhooks. Every audit record the trail appends arrives here as an INSERT
 * of a `type: "Audit"` item; the records a tenant's webhook subscribes to are delivered, signed,
 * with the tenant's retries and timeout. A delivery that still fails is logged and dropped (the
 * batch is not failed, so one dead endpoint never stalls the stream); a read failure fails the
 * batch (`batchItemFailures` from its first record): the stream retries it, halving it, and after
 * its retries parks it in the worker's on-failure queue — receivers deduplicate on `X-Webhook-Id`.
 */
import type { DynamoDBStreamEvent } from "aws-lambda";
import { auditRecordsFromStream } from "#shared/audit/trail.ts";
import { config } from "#shared/kit/config.ts";
import { log } from "#shared/kit/log.ts";
import { type StreamBatchResponse, wholeStreamBatch } from "#shared/kit/stream-batch.ts";
import { dispatchWebhooksForAuditRecords } from "#shared/webhooks/dispatch.ts";

export function handler(event: DynamoDBStreamEvent): Promise<StreamBatchResponse> {
  // Batched on purpose: one settings read and one secret decryption per tenant and batch.
  return wholeStreamBatch(event, dispatch, (error, record) =>
    log.error("webhook dispatch failed", {
      error,
      records: event.Records.length,
      from: record.dynamodb?.SequenceNumber,
    }),
  );
}

async function dispatch(event: DynamoDBStreamEvent): Promise<void> {
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
