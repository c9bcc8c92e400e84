/**
 * Table stream → WebSocket clients. Audit records, gateway events ingested from the edge, workflow
 * progress and notifier messages become realtime events (shared/realtime/messages.ts), posted to
 * the connections of their tenant through the `@connections` API. A failed post is logged and
 * skipped (never retried by failing the batch: a late security event is worse than a dropped one
 * for a client that is gone); a read failure fails the batch (`batchItemFailures`): the stream
 * retries it, then parks it in the worker's on-failure queue.
 */
import type { DynamoDBStreamEvent } from "aws-lambda";
import { log } from "#shared/kit/log.ts";
import { type StreamBatchResponse, wholeStreamBatch } from "#shared/kit/stream-batch.ts";
import { eventsOfStream, fanOut } from "#shared/realtime/fanout.ts";

export function handler(event: DynamoDBStreamEvent): Promise<StreamBatchResponse> {
  return wholeStreamBatch(
    event,
    async (batch) => {
      const events = eventsOfStream(batch);
      if (events.length === 0) return;
      const report = await fanOut(events);
      log.info("realtime fan-out", { ...report });
    },
    (error, record) =>
      log.error("realtime fan-out failed", {
        error,
        records: event.Records.length,
        from: record.dynamodb?.SequenceNumber,
      }),
  );
}
