/**
 * The redrive: each shape an on-failure queue holds is handed back to its function, and a message
 * is deleted only when the function took it. Lambda and DynamoDB Streams are AWS control/data
 * planes that cannot run here: aws-sdk-client-mock stands in for both (named so); the queue is an
 * in-memory fake of the `FailureQueue` port.
 */
import { DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand } from "@aws-sdk/client-dynamodb-streams";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { type FailureQueue, type QueueMessage, redrive, replayOf } from "#tools/redrive.ts";

const lambdaMock = mockClient(LambdaClient);
const streamsMock = mockClient(DynamoDBStreamsClient);
const FN = "arn:aws:lambda:eu-west-1:123456789012:function:Warden-Iot-ingest";
const STREAM = "arn:aws:dynamodb:eu-west-1:123456789012:table/warden-table/stream/2026-11-30T00:00:00.000";

function queueOf(messages: QueueMessage[]): FailureQueue & { left: QueueMessage[] } {
  const left = [...messages];
  return {
    left,
    receive: async (max) => left.slice(0, max),
    remove: async (m) => {
      left.splice(left.indexOf(m), 1);
    },
  };
}
const message = (id: string, body: unknown, attributes: Record<string, string> = {}): QueueMessage => ({
  id,
  receiptHandle: `rh-${id}`,
  body: JSON.stringify(body),
  attributes,
});
const invoked = () =>
  lambdaMock.commandCalls(InvokeCommand).map((c) => ({
    fn: c.args[0].input.FunctionName,
    payload: JSON.parse(new TextDecoder().decode(c.args[0].input.Payload as Uint8Array)),
  }));
const clients = () => ({ lambda: new LambdaClient({}), streams: new DynamoDBStreamsClient({}) });

beforeEach(() => {
  lambdaMock.reset();
  streamsMock.reset();
});

describe("replayOf", () => {
  it("reads the three shapes and refuses anything else", () => {
    expect(
      replayOf(message("a", { requestContext: { functionArn: `${FN}:$LATEST` }, requestPayload: { topic: "t" } })),
    ).toEqual({ kind: "invoke", functionArn: FN, payload: { topic: "t" } });
    const batch = { streamArn: STREAM, shardId: "s-1", startSequenceNumber: "10", endSequenceNumber: "12" };
    expect(replayOf(message("b", { requestContext: { functionArn: FN }, DDBStreamBatchInfo: batch }))).toEqual({
      kind: "stream",
      functionArn: FN,
      batch,
    });
    expect(replayOf(message("c", { "detail-type": "Scheduled Event" }, { TARGET_ARN: FN }))).toEqual({
      kind: "invoke",
      functionArn: FN,
      payload: { "detail-type": "Scheduled Event" },
    });
    expect(replayOf(message("d", { hello: "world" })).kind).toBe("unknown");
  });
});

describe("redrive", () => {
  it("re-invokes an asynchronous failure with its payload and deletes it once the function took it", async () => {
    lambdaMock.on(InvokeCommand).resolves({ StatusCode: 200, Payload: new TextEncoder().encode("null") as never });
    const queue = queueOf([message("a", { requestContext: { functionArn: FN }, requestPayload: { n: 1 } })]);
    const result = await redrive(queue, clients(), { max: 10 });
    expect(result).toEqual({ replayed: 1, failed: [] });
    expect(invoked()).toEqual([{ fn: FN, payload: { n: 1 } }]);
    expect(queue.left).toEqual([]);
  });

  it("keeps a message whose function fails again", async () => {
    lambdaMock.on(InvokeCommand).resolves({
      StatusCode: 200,
      FunctionError: "Unhandled",
      Payload: new TextEncoder().encode('{"errorMessage":"still broken"}') as never,
    });
    const queue = queueOf([message("a", { requestContext: { functionArn: FN }, requestPayload: {} })]);
    const result = await redrive(queue, clients(), { max: 10 });
    expect(result.replayed).toBe(0);
    expect(result.failed[0]?.reason).toContain("still broken");
    expect(queue.left).toHaveLength(1);
  });

  it("reads a stream batch back by sequence number and replays exactly its records as a stream event", async () => {
    streamsMock.on(GetShardIteratorCommand).resolves({ ShardIterator: "it-1" });
    const rec = (seq: string) => ({ eventID: seq, eventName: "INSERT" as const, dynamodb: { SequenceNumber: seq } });
    streamsMock.on(GetRecordsCommand).resolves({ Records: [rec("10"), rec("11"), rec("12"), rec("13")] });
    lambdaMock
      .on(InvokeCommand)
      .resolves({ StatusCode: 200, Payload: new TextEncoder().encode('{"batchItemFailures":[]}') as never });
    const batch = { streamArn: STREAM, shardId: "s-1", startSequenceNumber: "10", endSequenceNumber: "12" };
    const queue = queueOf([message("b", { requestContext: { functionArn: FN }, DDBStreamBatchInfo: batch })]);
    const result = await redrive(queue, clients(), { max: 10 });
    expect(result).toEqual({ replayed: 1, failed: [] });
    expect(streamsMock.commandCalls(GetShardIteratorCommand)[0]?.args[0].input).toMatchObject({
      ShardIteratorType: "AT_SEQUENCE_NUMBER",
      SequenceNumber: "10",
    });
    const [call] = invoked();
    expect(
      call?.payload.Records.map((r: { dynamodb: { SequenceNumber: string } }) => r.dynamodb.SequenceNumber),
    ).toEqual(["10", "11", "12"]);
    expect(call?.payload.Records[0]).toMatchObject({ eventSource: "aws:dynamodb", eventSourceARN: STREAM });
  });

  it("keeps a stream batch the worker still reports failed records of", async () => {
    streamsMock.on(GetShardIteratorCommand).resolves({ ShardIterator: "it-1" });
    streamsMock.on(GetRecordsCommand).resolves({ Records: [{ eventID: "1", dynamodb: { SequenceNumber: "10" } }] });
    lambdaMock.on(InvokeCommand).resolves({
      StatusCode: 200,
      Payload: new TextEncoder().encode('{"batchItemFailures":[{"itemIdentifier":"10"}]}') as never,
    });
    const batch = { streamArn: STREAM, shardId: "s-1", startSequenceNumber: "10", endSequenceNumber: "10" };
    const queue = queueOf([message("b", { requestContext: { functionArn: FN }, DDBStreamBatchInfo: batch })]);
    const result = await redrive(queue, clients(), { max: 10 });
    expect(result.failed).toHaveLength(1);
    expect(queue.left).toHaveLength(1);
  });

  it("replays nothing on a dry run", async () => {
    const queue = queueOf([message("a", { requestContext: { functionArn: FN }, requestPayload: {} })]);
    const lines: string[] = [];
    await redrive(queue, clients(), { max: 10, dryRun: true, say: (l) => lines.push(l) });
    expect(lambdaMock.commandCalls(InvokeCommand)).toHaveLength(0);
    expect(queue.left).toHaveLength(1);
    expect(lines).toEqual([`would replay a to ${FN}`]);
  });
});
