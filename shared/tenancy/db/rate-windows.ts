/**
 * Rate windows: one atomic counter item per subject, class and minute, in the subject's own
 * partition `<subject>#RL` (kept until a minute after its window closes).
 *
 * Access patterns: count one request (UpdateItem ADD, no read).
 */
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { db, tableName } from "#shared/table/client.ts";
import { keys } from "#shared/table/keys.ts";

/** Adds one request to the subject's window; answers the window's count so far. */
export async function countRequest(
  subject: string,
  rateClass: string,
  windowStart: number,
  expiresAt: number,
): Promise<number> {
  const out = await db.send(
    new UpdateCommand({
      TableName: tableName,
      Key: keys.rateWindow(subject, rateClass, windowStart),
      UpdateExpression: "ADD #count :one SET expiresAt = :ttl, #type = :type",
      ExpressionAttributeNames: { "#count": "count", "#type": "type" },
      ExpressionAttributeValues: { ":one": 1, ":ttl": expiresAt, ":type": "RateWindow" },
      ReturnValues: "UPDATED_NEW",
    }),
  );
  return Number(out.Attributes?.count ?? 1);
}
