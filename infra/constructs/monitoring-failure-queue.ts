/**
 * Where a function's failed asynchronous or stream invocations are kept instead of vanishing: one
 * SQS queue per function (so `npm run redrive -- <queue>` knows which function to hand a message
 * back to), encrypted at rest (SQS-managed keys: Lambda, EventBridge and the event source mapping
 * can all write it without a key policy), TLS-only, kept 14 days (the SQS maximum). Its depth is
 * alarmed by the monitoring stack; tools/redrive.ts replays it.
 *
 * What arrives here: a Lambda on-failure record (`requestPayload` + the error) for asynchronous
 * invocations; a stream batch's location (`DDBStreamBatchInfo`: shard and sequence range) for a
 * table-stream worker; the event itself when EventBridge could not invoke a scheduled worker.
 */
import { Duration } from "aws-cdk-lib";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import { acknowledgeFailureQueue } from "./nag.ts";

/** SQS's maximum: two weekends and a holiday to notice, fix and redrive. */
export const FAILURE_RETENTION = Duration.days(14);

export function failureQueue(scope: Construct, id = "FailureQueue"): Queue {
  const queue = new Queue(scope, id, {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: FAILURE_RETENTION,
  });
  acknowledgeFailureQueue(queue);
  return queue;
}
