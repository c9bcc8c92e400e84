/**
 * Rate windows and API-request metering, in the subject's own partition `<subject>#RL`:
 *   - requests: one item per subject, class and month holding the month's count and the current
 *     minute's window (see `countRequest`); a subject is a tenant's signed-in users, one of its API
 *     keys (both in `T#<tenant>#RL`) or, for anonymous calls, a source address (`G#IP#<ip>#RL`);
 *   - places (`reservePlace`): one counter item per subject, purpose and minute (unlock proofs).
 *
 * Access patterns: count one request (one UpdateItem; a second when another container opened the
 * minute's window first),
 * a tenant's requests per month (Query). Every route may write here, read-only ones included: the
 * IAM policy grants it by the partition patterns below.
 */
import { QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
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

/**
 * Whose window a request counts in, and where its month's count is kept: a tenant's signed-in
 * users and each of its API keys have windows of their own, all in the tenant's `#RL` partition
 * (so one Query sums a tenant's API requests of a month); anonymous calls count per address.
 */
export interface RequestSubject {
  partition: string;
  scope: string;
}

export const requestSubjects = {
  tenant: (tenantId: string): RequestSubject => ({ partition: tenantPk(tenantId), scope: "USERS" }),
  apiKey: (tenantId: string, keyId: number): RequestSubject => ({
    partition: tenantPk(tenantId),
    scope: `KEY#${keyId}`,
  }),
  address: (ip: string): RequestSubject => ({ partition: `G#IP#${ip}`, scope: "ADDR" }),
} as const;

/** `yyyy-mm` (UTC) of an epoch second. */
export const monthOfEpoch = (epochSeconds: number): string => new Date(epochSeconds * 1000).toISOString().slice(0, 7);

/**
 * One item per subject, class and month: the month's request count `n` and the current minute's
 * window (`w` its start, `wc` its count). The rate limit and the tenant's API-request metering are
 * one conditional UpdateItem per request (see `countRequest`).
 */
export const requestMonthKey = (s: RequestSubject, rateClass: string, month: string): Key => ({
  PK: `${s.partition}#RL`,
  SK: `M#${month}#${s.scope}#${rateClass}`,
});

const isConditionFailure = (e: unknown) => (e as { name?: string }).name === "ConditionalCheckFailedException";

/**
 * The window this container last saw open per item: it picks which of the two updates to send
 * first, so a request costs one UpdateItem whether its subject is busy (count in the open window)
 * or quiet (open a new window), and concurrent requests of one container open a window once.
 * Only when another container opened the window first does a request cost a second call.
 */
const openWindows = new Map<string, number>();
/** Windows a request of this container is opening right now: concurrent requests wait for it. */
const openings = new Map<string, { windowStart: number; done: Promise<undefined> }>();
const OPEN_WINDOWS_MAX = 5000;

function rememberWindow(id: string, windowStart: number) {
  if (openWindows.size >= OPEN_WINDOWS_MAX) openWindows.delete(openWindows.keys().next().value ?? "");
  openWindows.set(id, windowStart);
}

/**
 * The item a request of `subject` will count in, when this container does not know whether the
 * window starting at `windowStart` is open yet (its first request of the subject in that minute):
 * a caller that reads other items first (authentication's BatchGetItem) reads it with them and
 * hands it to `noteWindow`, so `countRequest` sends the right update first — one call instead of
 * two when another container opened the window. Undefined when the container knows already.
 */
export function windowProbe(subject: RequestSubject, rateClass: string, windowStart: number): Key | undefined {
  const Key = requestMonthKey(subject, rateClass, monthOfEpoch(windowStart));
  return openWindows.get(`${Key.PK}|${Key.SK}`) === windowStart ? undefined : Key;
}

/** What `windowProbe`'s item showed: an open window is remembered (a stale read costs one more call, as before). */
export function noteWindow(probe: Key, windowStart: number, item: Record<string, unknown> | undefined): void {
  if (item?.w === windowStart) rememberWindow(`${probe.PK}|${probe.SK}`, windowStart);
}

/**
 * Adds one request to the subject's month and to its current window; answers the window's count
 * so far. `expiresAt`: when the month's item may go (metering keeps months for the usage history).
 */
export async function countRequest(
  subject: RequestSubject,
  rateClass: string,
  windowStart: number,
  expiresAt: number,
): Promise<number> {
  const Key = requestMonthKey(subject, rateClass, monthOfEpoch(windowStart));
  const id = `${Key.PK}|${Key.SK}`;
  const names = { "#w": "w", "#wc": "wc", "#n": "n" };
  const countInOpen = async (): Promise<number | undefined> => {
    try {
      const out = await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key,
          UpdateExpression: "SET #wc = #wc + :one, #n = #n + :one",
          ConditionExpression: "#w = :w",
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: { ":one": 1, ":w": windowStart },
          ReturnValues: "UPDATED_NEW",
        }),
      );
      return Number(out.Attributes?.wc ?? 1);
    } catch (e) {
      if (isConditionFailure(e)) return undefined;
      throw e;
    }
  };
  const openNew = async (): Promise<number | undefined> => {
    try {
      await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key,
          UpdateExpression:
            "SET #w = :w, #wc = :one, #n = if_not_exists(#n, :zero) + :one, expiresAt = :ttl, #type = :type",
          ConditionExpression: "attribute_not_exists(#w) OR #w < :w",
          ExpressionAttributeNames: { ...names, "#type": "type" },
          ExpressionAttributeValues: {
            ":one": 1,
            ":zero": 0,
            ":w": windowStart,
            ":ttl": expiresAt,
            ":type": "RequestMonth",
          },
        }),
      );
      return 1;
    } catch (e) {
      if (isConditionFailure(e)) return undefined;
      throw e;
    }
  };
  let count: number | undefined;
  const opening = openings.get(id);
  if (openWindows.get(id) === windowStart) count = (await countInOpen()) ?? (await openNew());
  else if (opening?.windowStart === windowStart) {
    // Another request of this container is opening the window: count in it once it is open.
    await opening.done;
    count = (await countInOpen()) ?? (await openNew());
  } else {
    const attempt = openNew();
    openings.set(id, {
      windowStart,
      done: attempt.then(
        () => undefined,
        () => undefined,
      ),
    });
    try {
      count = (await attempt) ?? (await countInOpen());
    } finally {
      if (openings.get(id)?.windowStart === windowStart) openings.delete(id);
    }
  }
  if (count !== undefined) {
    rememberWindow(id, windowStart);
    return count;
  }
  // A container whose clock runs ahead opened the next window already: count in it.
  const out = await db.send(
    new UpdateCommand({
      TableName: tableName,
      Key,
      UpdateExpression: "ADD #wc :one, #n :one",
      ExpressionAttributeNames: { "#wc": "wc", "#n": "n" },
      ExpressionAttributeValues: { ":one": 1 },
      ReturnValues: "UPDATED_NEW",
    }),
  );
  return Number(out.Attributes?.wc ?? 1);
}

/** A tenant's API requests per month (`yyyy-mm`), from `first` to `last` inclusive: one Query. */
export async function requestsByMonth(tenantId: string, first: string, last: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  let cursor: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: "PK = :pk AND SK BETWEEN :from AND :to",
        ExpressionAttributeValues: {
          ":pk": `${tenantPk(tenantId)}#RL`,
          ":from": `M#${first}#`,
          ":to": `M#${last}#\uffff`,
        },
        ProjectionExpression: "SK, #n",
        ExpressionAttributeNames: { "#n": "n" },
        ExclusiveStartKey: cursor,
      }),
    );
    for (const item of page.Items ?? []) {
      const month = String(item.SK).slice(2, 9);
      out.set(month, (out.get(month) ?? 0) + Number(item.n ?? 0));
    }
    cursor = page.LastEvaluatedKey;
  } while (cursor);
  return out;
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
