/**
 * Rate windows: one atomic counter item per subject, class and minute, in the subject's own
 * partition `<subject>#RL` (kept until a minute after its window closes). A subject is a tenant
 * (`T#<tenant>`), one of its API keys (`T#<tenant>#KEY#<id>`) or, for anonymous calls, a source
 * address (`G#IP#<ip>`).
 *
 * Access patterns: count one request (UpdateItem ADD, no read). Every route may write here, read-only
 * ones included: the IAM policy grants it by the partition patterns below.
 */
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { db, tableName } from "#shared/table/client.ts";
import { type Key, tenantPk } from "#shared/table/keys.ts";

export const rateSubjects = {
  tenant: (tenantId: string): string => tenantPk(tenantId),
  apiKey: (tenantId: string, keyId: number): string => `${tenantPk(tenantId)}#KEY#${keyId}`,
  address: (ip: string): string => `G#IP#${ip}`,
  /** Every proof offered to unlock a tenant's emergency lock (PIN or code), whoever offers it. */
  unlockProofs: (tenantId: string): string => `${tenantPk(tenantId)}#UNLOCK`,
} as const;

/** The rate-window partitions, as IAM `dynamodb:LeadingKeys` patterns (infra/constructs/access-policy.ts). */
export const RATE_WINDOW_PARTITION_PATTERNS = ["T#*#RL", "G#IP#*#RL"] as const;

export const rateWindowKey = (subject: string, rateClass: string, windowStart: number): Key => ({
  PK: `${subject}#RL`,
  SK: `${rateClass}#${windowStart}`,
});

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
      Key: rateWindowKey(subject, rateClass, windowStart),
      UpdateExpression: "ADD #count :one SET expiresAt = :ttl, #type = :type",
      ExpressionAttributeNames: { "#count": "count", "#type": "type" },
      ExpressionAttributeValues: { ":one": 1, ":ttl": expiresAt, ":type": "RateWindow" },
      ReturnValues: "UPDATED_NEW",
    }),
  );
  return Number(out.Attributes?.count ?? 1);
}

/**
 * Takes one of `limit` places in the subject's window, atomically: however many requests race, at
 * most `limit` hold a place at once. False when the window is full (nothing written).
 */
export async function reservePlace(
  subject: string,
  purpose: string,
  windowStart: number,
  expiresAt: number,
  limit: number,
): Promise<boolean> {
  try {
    await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: rateWindowKey(subject, purpose, windowStart),
        UpdateExpression: "ADD #count :one SET expiresAt = :ttl, #type = :type",
        ConditionExpression: "attribute_not_exists(#count) OR #count < :limit",
        ExpressionAttributeNames: { "#count": "count", "#type": "type" },
        ExpressionAttributeValues: { ":one": 1, ":ttl": expiresAt, ":type": "RateWindow", ":limit": limit },
      }),
    );
    return true;
  } catch (e) {
    if ((e as { name?: string }).name === "ConditionalCheckFailedException") return false;
    throw e;
  }
}

/** Gives a place back (the attempt it was taken for succeeded and does not count). */
export async function releasePlace(subject: string, purpose: string, windowStart: number): Promise<void> {
  await db
    .send(
      new UpdateCommand({
        TableName: tableName,
        Key: rateWindowKey(subject, purpose, windowStart),
        UpdateExpression: "ADD #count :minus",
        ConditionExpression: "attribute_exists(#count) AND #count > :zero",
        ExpressionAttributeNames: { "#count": "count" },
        ExpressionAttributeValues: { ":minus": -1, ":zero": 0 },
      }),
    )
    .catch((e: { name?: string }) => {
      if (e.name !== "ConditionalCheckFailedException") throw e;
    });
}
