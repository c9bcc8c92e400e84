/**
 * Table-stream workers' answer to Lambda under `ReportBatchItemFailures` (infra/stacks/
 * workers-stack.ts). A kit leaf so that stream handlers, which import only the kit and area roots,
 * can use it.
 */
import type { DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";

/**
 * A stream worker's answer under `ReportBatchItemFailures` (infra/stacks/workers-stack.ts): the
 * sequence number of the first record that failed. Lambda checkpoints every record before it and
 * retries from it; after the mapping's retries (halving the batch each time) the failing batch
 * goes to the worker's on-failure queue instead of blocking the shard. An empty list: all done.
 */
export interface StreamBatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

const failedAt = (record: DynamoDBRecord | undefined): StreamBatchResponse => ({
  batchItemFailures: [{ itemIdentifier: record?.dynamodb?.SequenceNumber ?? "" }],
});

/**
 * Hands the whole batch to `process` (work batched on purpose: one Stripe call, one connection
 * lookup per tenant); when it throws, the whole batch is reported failed from its first record, so
 * the mapping retries it, halves it on repeated failure and finally sends it to the on-failure queue.
 */
export async function wholeStreamBatch(
  event: DynamoDBStreamEvent,
  process: (batch: DynamoDBStreamEvent) => Promise<void>,
  onError: (error: unknown, record: DynamoDBRecord) => void,
): Promise<StreamBatchResponse> {
  try {
    await process(event);
    return { batchItemFailures: [] };
  } catch (error) {
    const first = event.Records[0];
    if (first) onError(error, first);
    return failedAt(first);
  }
}
