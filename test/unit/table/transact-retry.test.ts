/**
 * `transact` against DynamoDB's answers (aws-sdk-client-mock stands in for the service, whose
 * transaction conflicts cannot be provoked on demand): a cancellation caused only by another
 * transaction (TransactionConflict) is sent again and succeeds; a failed condition is a 409 at
 * once, never retried; conflicts that persist end as the kit's 503 with Retry-After.
 */
import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { Conflict, transientDependencyError } from "#shared/kit/errors.ts";
import { transact } from "#shared/table/repo.ts";

const ddb = mockClient(DynamoDBDocumentClient);
afterAll(() => ddb.restore());
beforeEach(() => ddb.reset());

const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({
    message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes.join(", ")}]`,
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });

const item = { Put: { TableName: "t", Item: { PK: "T#a#X", SK: "1" } } };

describe("transact", () => {
  it("sends a transaction again when another transaction held one of its items, and succeeds", async () => {
    ddb
      .on(TransactWriteCommand)
      .rejectsOnce(cancelled("None", "TransactionConflict"))
      .rejectsOnce(cancelled("TransactionConflict", "None"))
      .resolves({});
    await expect(transact([item, item])).resolves.toBeUndefined();
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(3);
  });

  it("answers a failed condition as a 409 naming the clash, without a second attempt", async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled("TransactionConflict", "ConditionalCheckFailed"));
    const err = await transact([item, item], [undefined, "username 'ops01' is taken"]).catch((e) => e);
    expect(err).toBeInstanceOf(Conflict);
    expect(err.message).toBe("username 'ops01' is taken");
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });

  it("gives up after four attempts when the conflict persists: the kit answers it 503 with Retry-After", async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled("TransactionConflict"));
    const err = await transact([item]).catch((e) => e);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(4);
    expect(transientDependencyError(err)).toMatchObject({ statusCode: 503, headers: { "Retry-After": "1" } });
  });
});
