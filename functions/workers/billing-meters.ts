/**
 * Table stream → Stripe Billing Meters. Changes of the monthly usage counters (type `UsageMonth`)
 * become meter events, batched per stream batch, off every request path. A Stripe failure fails
 * the batch (`batchItemFailures` from its first record): the stream retries it, then parks it in the
 * worker's on-failure queue; identifiers make a retry or a redrive report nothing twice.
 */
import type { DynamoDBStreamEvent } from "aws-lambda";
import { reportUsageToMeters } from "#shared/billing/meters.ts";
import { log } from "#shared/kit/log.ts";
import { type StreamBatchResponse, wholeStreamBatch } from "#shared/kit/stream-batch.ts";

export function handler(event: DynamoDBStreamEvent): Promise<StreamBatchResponse> {
  return wholeStreamBatch(
    event,
    async (batch) => {
      const reported = await reportUsageToMeters(batch);
      if (reported.length > 0) log.info("usage reported to Stripe meters", { events: reported.length });
    },
    (error, record) =>
      log.error("usage report failed", { error, records: event.Records.length, from: record.dynamodb?.SequenceNumber }),
  );
}
