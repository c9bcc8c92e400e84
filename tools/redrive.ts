/**
 * `npm run redrive -- <queue> [--dry-run] [--max <n>]`: hands what a function's on-failure queue
 * holds (infra/constructs/monitoring-failure-queue.ts) back to that function, once its cause is
 * fixed. Each message is replayed synchronously and deleted only when the function succeeded, so
 * a message that still fails stays for the next attempt. `<queue>` is the queue's name or URL (the
 * queue alarm's description names it). Needs the deployer's AWS credentials and region.
 *
 * What a message holds, and how it is replayed:
 * - a Lambda on-failure record of an asynchronous invocation (IoT ingest, schedules):
 *   `requestContext.functionArn` + `requestPayload` → invoked again with that payload;
 * - a table-stream batch (`DDBStreamBatchInfo`: stream, shard, first and last sequence number):
 *   the records are read back from the stream (kept 24 hours) and invoked as one stream event;
 *   the worker must answer no `batchItemFailures`;
 * - an event EventBridge could not deliver (its DLQ): the event itself, the function from the
 *   message's `TARGET_ARN` attribute.
 *
 * The queue is read with the AWS CLI (`aws sqs …`): @aws-sdk/client-sqs is not a dependency of
 * this repository. With it (`@aws-sdk/client-sqs` at the SDK version of the other clients), the
 * `cliQueue` adapter below becomes three SDK calls; nothing else changes.
 */
import { execFile } from "node:child_process";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import {
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from "@aws-sdk/client-dynamodb-streams";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";

export interface QueueMessage {
  id: string;
  receiptHandle: string;
  body: string;
  /** SQS message attributes (string values), e.g. EventBridge's TARGET_ARN. */
  attributes: Record<string, string>;
}

/** The on-failure queue, as the redrive needs it. */
export interface FailureQueue {
  receive(max: number): Promise<QueueMessage[]>;
  remove(message: QueueMessage): Promise<void>;
}

export interface StreamBatchInfo {
  streamArn: string;
  shardId: string;
  startSequenceNumber: string;
  endSequenceNumber: string;
}

/** What to do with one message: invoke `functionArn` with `payload`, or read a stream batch first. */
export type Replay =
  | { kind: "invoke"; functionArn: string; payload: unknown }
  | { kind: "stream"; functionArn: string; batch: StreamBatchInfo }
  | { kind: "unknown"; reason: string };

/** Reads one message of an on-failure queue (see the module comment for the three shapes). */
export function replayOf(message: QueueMessage): Replay {
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(message.body) as Record<string, unknown>;
  } catch {
    return { kind: "unknown", reason: "the body is not JSON" };
  }
  const context = body.requestContext as { functionArn?: string } | undefined;
  // The destination record names the function with its version qualifier (`…:function:name:$LATEST`).
  const functionArn = context?.functionArn?.replace(/:\$LATEST$/, "");
  const batch = body.DDBStreamBatchInfo as StreamBatchInfo | undefined;
  if (functionArn && batch?.streamArn && batch.shardId && batch.startSequenceNumber && batch.endSequenceNumber) {
    return { kind: "stream", functionArn, batch };
  }
  if (functionArn && "requestPayload" in body) return { kind: "invoke", functionArn, payload: body.requestPayload };
  const target = message.attributes.TARGET_ARN;
  if (target?.includes(":lambda:")) return { kind: "invoke", functionArn: target, payload: body };
  return { kind: "unknown", reason: "neither a Lambda on-failure record nor an EventBridge dead letter" };
}

/** The records of a stream batch, read back from the stream by sequence number (DynamoDB Streams keeps 24 h). */
export async function readStreamBatch(streams: DynamoDBStreamsClient, batch: StreamBatchInfo): Promise<StreamRecord[]> {
  const start = await streams.send(
    new GetShardIteratorCommand({
      StreamArn: batch.streamArn,
      ShardId: batch.shardId,
      ShardIteratorType: "AT_SEQUENCE_NUMBER",
      SequenceNumber: batch.startSequenceNumber,
    }),
  );
  const end = BigInt(batch.endSequenceNumber);
  const out: StreamRecord[] = [];
  let iterator = start.ShardIterator;
  while (iterator) {
    const got = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
    const records = got.Records ?? [];
    for (const r of records) {
      if (BigInt(r.dynamodb?.SequenceNumber ?? "0") > end) return out;
      out.push(r);
    }
    // An empty page: the shard holds nothing newer (the batch ended at its tip).
    if (records.length === 0) break;
    iterator = got.NextShardIterator;
  }
  return out;
}

/** A stream batch as Lambda's event source mapping hands it to the worker. */
export function streamEvent(records: StreamRecord[], streamArn: string) {
  const region = streamArn.split(":")[3] ?? "";
  return {
    Records: records.map((r) => ({
      eventID: r.eventID,
      eventName: r.eventName,
      eventVersion: r.eventVersion ?? "1.1",
      eventSource: "aws:dynamodb",
      awsRegion: region,
      dynamodb: r.dynamodb,
      eventSourceARN: streamArn,
    })),
  };
}

export interface RedriveResult {
  replayed: number;
  failed: { id: string; reason: string }[];
}

/** Replays up to `max` messages; deletes each one the function took without an error. */
export async function redrive(
  queue: FailureQueue,
  clients: { lambda: LambdaClient; streams: DynamoDBStreamsClient },
  opts: { max: number; dryRun?: boolean; say?: (line: string) => void },
): Promise<RedriveResult> {
  const say = opts.say ?? (() => {});
  const result: RedriveResult = { replayed: 0, failed: [] };
  const seen = new Set<string>();
  while (result.replayed + result.failed.length < opts.max) {
    const messages = (await queue.receive(Math.min(10, opts.max - result.replayed - result.failed.length))).filter(
      (m) => !seen.has(m.id),
    );
    if (messages.length === 0) break;
    for (const message of messages) {
      seen.add(message.id);
      const replay = replayOf(message);
      const fail = (reason: string) => {
        result.failed.push({ id: message.id, reason });
        say(`kept ${message.id}: ${reason}`);
      };
      if (replay.kind === "unknown") {
        fail(replay.reason);
        continue;
      }
      const payload =
        replay.kind === "invoke"
          ? replay.payload
          : streamEvent(await readStreamBatch(clients.streams, replay.batch), replay.batch.streamArn);
      if (replay.kind === "stream" && (payload as { Records: unknown[] }).Records.length === 0) {
        fail("the stream no longer holds the batch (older than 24 hours)");
        continue;
      }
      if (opts.dryRun) {
        say(`would replay ${message.id} to ${replay.functionArn}`);
        continue;
      }
      const answer = await clients.lambda.send(
        new InvokeCommand({
          FunctionName: replay.functionArn,
          InvocationType: "RequestResponse",
          Payload: new TextEncoder().encode(JSON.stringify(payload)),
        }),
      );
      const text = answer.Payload ? new TextDecoder().decode(answer.Payload) : "";
      if (answer.FunctionError) {
        fail(`the function failed again (${answer.FunctionError}): ${text.slice(0, 300)}`);
        continue;
      }
      const failures = (() => {
        try {
          return (JSON.parse(text || "null") as { batchItemFailures?: unknown[] } | null)?.batchItemFailures ?? [];
        } catch {
          return [];
        }
      })();
      if (replay.kind === "stream" && failures.length > 0) {
        fail(`the worker reported ${failures.length} failed record(s) again`);
        continue;
      }
      await queue.remove(message);
      result.replayed++;
      say(`replayed ${message.id} to ${replay.functionArn}`);
    }
  }
  return result;
}

const run = promisify(execFile);

async function aws(args: string[]): Promise<unknown> {
  const { stdout } = await run("aws", [...args, "--output", "json"], { maxBuffer: 64 * 1024 * 1024 });
  return stdout.trim() ? JSON.parse(stdout) : {};
}

/** The queue through the AWS CLI (see the module comment). */
export async function cliQueue(nameOrUrl: string): Promise<FailureQueue> {
  const url = nameOrUrl.startsWith("https://")
    ? nameOrUrl
    : ((await aws(["sqs", "get-queue-url", "--queue-name", nameOrUrl])) as { QueueUrl: string }).QueueUrl;
  return {
    async receive(max) {
      const got = (await aws([
        "sqs",
        "receive-message",
        "--queue-url",
        url,
        "--max-number-of-messages",
        String(max),
        "--wait-time-seconds",
        "1",
        // Long enough to replay a batch; an unprocessed message reappears afterwards.
        "--visibility-timeout",
        "600",
        "--message-attribute-names",
        "All",
      ])) as {
        Messages?: {
          MessageId: string;
          ReceiptHandle: string;
          Body: string;
          MessageAttributes?: Record<string, { StringValue?: string }>;
        }[];
      };
      return (got.Messages ?? []).map((m) => ({
        id: m.MessageId,
        receiptHandle: m.ReceiptHandle,
        body: m.Body,
        attributes: Object.fromEntries(
          Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue ?? ""]),
        ),
      }));
    },
    async remove(message) {
      await aws(["sqs", "delete-message", "--queue-url", url, "--receipt-handle", message.receiptHandle]);
    },
  };
}

async function main(argv: string[]) {
  const queueArg = argv.find((a) => !a.startsWith("--"));
  const maxAt = argv.indexOf("--max");
  const max = maxAt >= 0 ? Number(argv[maxAt + 1]) : 1000;
  if (!queueArg || !Number.isInteger(max) || max < 1) {
    process.stderr.write("usage: npm run redrive -- <queue name or URL> [--dry-run] [--max <n>]\n");
    process.exit(2);
  }
  const result = await redrive(
    await cliQueue(queueArg),
    { lambda: new LambdaClient({}), streams: new DynamoDBStreamsClient({}) },
    { max, dryRun: argv.includes("--dry-run"), say: (line) => process.stdout.write(`${line}\n`) },
  );
  process.stdout.write(`${result.replayed} replayed, ${result.failed.length} kept in the queue\n`);
  if (result.failed.length > 0) process.exitCode = 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main(process.argv.slice(2));
