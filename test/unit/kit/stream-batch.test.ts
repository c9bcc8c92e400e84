import type { DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { wholeStreamBatch } from "#shared/kit/stream-batch.ts";

const record = (seq: string): DynamoDBRecord => ({ eventName: "INSERT", dynamodb: { SequenceNumber: seq } });
const batch: DynamoDBStreamEvent = { Records: [record("100"), record("101"), record("102")] };

describe("wholeStreamBatch", () => {
  it("reports no failure when the batch is processed", async () => {
    const seen: DynamoDBStreamEvent[] = [];
    const answer = await wholeStreamBatch(
      batch,
      async (b) => {
        seen.push(b);
      },
      () => {},
    );
    expect(answer).toEqual({ batchItemFailures: [] });
    expect(seen).toEqual([batch]);
  });

  it("reports the batch failed from its first record when processing throws, and says why", async () => {
    const errors: [unknown, string | undefined][] = [];
    const boom = new Error("table unreachable");
    const answer = await wholeStreamBatch(
      batch,
      async () => {
        throw boom;
      },
      (error, r) => errors.push([error, r.dynamodb?.SequenceNumber]),
    );
    expect(answer).toEqual({ batchItemFailures: [{ itemIdentifier: "100" }] });
    expect(errors).toEqual([[boom, "100"]]);
  });
});
