/**
 * Table stream → live evidence. A change to state an evidence check reads (users, API keys,
 * authentication and audit settings, gateways and their saved configuration) re-evaluates the
 * checks reading it for that tenant, so a bound control leaves or regains `verified` at once. A
 * failure fails the batch (`batchItemFailures` from its first record): the stream retries it
 * (re-evaluation is idempotent), halving it, and after its retries parks it in the worker's
 * on-failure queue. Batched on purpose: one re-evaluation per tenant and batch.
 */
import type { DynamoDBStreamEvent } from "aws-lambda";
import { reevaluateChanges, stateChangesOf } from "#shared/compliance/evidence.ts";
import { log } from "#shared/kit/log.ts";
import { type StreamBatchResponse, wholeStreamBatch } from "#shared/kit/stream-batch.ts";

export function handler(event: DynamoDBStreamEvent): Promise<StreamBatchResponse> {
  return wholeStreamBatch(
    event,
    async (batch) => {
      const changes = stateChangesOf(batch);
      if (changes.length === 0) return;
      const changed = await reevaluateChanges(changes);
      log.info("evidence re-evaluated on state change", { records: batch.Records.length, controls_changed: changed });
    },
    (error, record) =>
      log.error("evidence re-evaluation failed", {
        error,
        records: event.Records.length,
        from: record.dynamodb?.SequenceNumber,
      }),
  );
}
