/**
 * Table access primitives shared by every entity: versioned writes (optimistic locking, a lost
 * update is a 409), guard-item transactions, per-tenant counters and cursor pagination.
 * Request paths use GetItem, Query, BatchGet and TransactWrite only; there is no Scan here.
 */
import { setTimeout as sleep } from "node:timers/promises";
import {
  BatchGetCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { Conflict, Invalid } from "#shared/kit/errors.ts";
import { db, tableName } from "./client.ts";
import { counterKey, isTenantKey, type Key } from "./keys.ts";

export type Item = Record<string, unknown>;
type TransactItem = NonNullable<TransactWriteCommandInput["TransactItems"]>[number];

export async function getItem(key: Key, consistent = false): Promise<Item | undefined> {
  const out = await db.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: consistent }));
  return out.Item;
}

/** Reads up to 100 keys in one call (retrying unprocessed keys); results in the order of `wanted`. */
export async function batchGet(wanted: Key[], consistent = false): Promise<(Item | undefined)[]> {
  const found = new Map<string, Item>();
  let pending: Key[] = wanted;
  for (let attempt = 0; pending.length > 0 && attempt < 5; attempt++) {
    const out = await db.send(
      new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: consistent } } }),
    );
    for (const item of out.Responses?.[tableName] ?? []) found.set(`${item.PK}|${item.SK}`, item);
    pending = (out.UnprocessedKeys?.[tableName]?.Keys as Key[] | undefined) ?? [];
  }
  return wanted.map((k) => found.get(`${k.PK}|${k.SK}`));
}

/** Creates an item that must not exist yet; `version` starts at 1. */
export async function putNew(item: Item & Key, what = "Item"): Promise<void> {
  try {
    await db.send(
      new PutCommand({
        TableName: tableName,
        Item: { ...item, version: 1 },
        ConditionExpression: "attribute_not_exists(PK)",
      }),
    );
  } catch (e) {
    throw mapConditionFailure(e, `${what} already exists`);
  }
}

/**
 * Sets the given attributes on an item whose stored `version` must equal `expectedVersion`,
 * and bumps the version. Attributes set to `undefined` are removed.
 */
export async function updateVersioned(key: Key, expectedVersion: number, changes: Item, what = "Item"): Promise<Item> {
  const update = buildUpdate(changes);
  try {
    const out = await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: key,
        UpdateExpression: update.expression,
        ConditionExpression: "attribute_exists(PK) AND #version = :expected",
        ExpressionAttributeNames: { ...update.names, "#version": "version" },
        ExpressionAttributeValues: { ...update.values, ":expected": expectedVersion, ":one": 1 },
        ReturnValues: "ALL_NEW",
      }),
    );
    return out.Attributes ?? {};
  } catch (e) {
    throw mapConditionFailure(e, `${what} was changed by another request; reload and retry`);
  }
}

/** An Update for a TransactWrite, with the same optimistic lock as `updateVersioned`. */
export function versionedUpdateItem(key: Key, expectedVersion: number, changes: Item): TransactItem {
  const update = buildUpdate(changes);
  return {
    Update: {
      TableName: tableName,
      Key: key,
      UpdateExpression: update.expression,
      ConditionExpression: "attribute_exists(PK) AND #version = :expected",
      ExpressionAttributeNames: { ...update.names, "#version": "version" },
      ExpressionAttributeValues: { ...update.values, ":expected": expectedVersion, ":one": 1 },
    },
  };
}

export function newItemPut(item: Item & Key): TransactItem {
  return {
    Put: { TableName: tableName, Item: { ...item, version: 1 }, ConditionExpression: "attribute_not_exists(PK)" },
  };
}

/** A guard item: its only job is to make a value (a username, an email) unique. */
export function guardPut(key: Key, pointer: Item): TransactItem {
  return newItemPut({ ...key, type: "Guard", ...pointer });
}

export function deletePut(key: Key): TransactItem {
  return { Delete: { TableName: tableName, Key: key } };
}

/** An UpdateItem whose condition may fail as part of normal operation (atomic counters, single-use values). */
export interface ConditionalUpdate {
  key: Key;
  /** UpdateExpression, e.g. "ADD #n :one". */
  update: string;
  /** ConditionExpression; `attribute_exists(PK)` is added. */
  condition?: string;
  names?: Record<string, string>;
  values?: Record<string, unknown>;
}

/**
 * Applies `update` when `condition` holds and answers the item after it; answers undefined when
 * the condition failed (nothing written). No version check and no read before: concurrent
 * callers are serialised by DynamoDB, so none of them is lost and none gets a 409.
 */
export async function updateIf(u: ConditionalUpdate): Promise<Item | undefined> {
  try {
    const out = await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: u.key,
        UpdateExpression: u.update,
        ConditionExpression: u.condition ? `attribute_exists(PK) AND (${u.condition})` : "attribute_exists(PK)",
        ...(u.names && Object.keys(u.names).length ? { ExpressionAttributeNames: u.names } : {}),
        ...(u.values && Object.keys(u.values).length ? { ExpressionAttributeValues: u.values } : {}),
        ReturnValues: "ALL_NEW",
      }),
    );
    return out.Attributes ?? {};
  } catch (e) {
    if ((e as { name?: string }).name === "ConditionalCheckFailedException") return undefined;
    throw e;
  }
}

/**
 * Writes all items or none. A failed condition becomes a 409 whose message names what clashed:
 * `conflicts[i]` describes item i (e.g. "username 'ops01' is taken").
 * A cancellation caused only by another transaction holding an item is sent again (see below).
 */
export async function transact(items: TransactItem[], conflicts: (string | undefined)[] = []): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await db.send(new TransactWriteCommand({ TransactItems: items }));
      return;
    } catch (e) {
      const reasons = (e as { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
      if (reasons) {
        const idx = reasons.findIndex((r) => r.Code === "ConditionalCheckFailed");
        if (idx >= 0) throw new Conflict(conflicts[idx] ?? "A concurrent change conflicted with this request; retry");
        if (reasons.some((r) => r.Code === "TransactionConflict")) {
          if (attempt < TRANSACTION_CONFLICT_RETRIES) {
            await sleep(Math.random() * TRANSACTION_CONFLICT_BACKOFF_MS * 2 ** attempt);
            continue;
          }
          throw e; // the kit answers a conflict that persists 503 with Retry-After (transientDependencyError)
        }
      }
      throw mapConditionFailure(e, "A concurrent change conflicted with this request; retry");
    }
  }
}

/**
 * A transaction cancelled only because another transaction held one of its items (reason
 * `TransactionConflict`, no failed condition) wrote nothing, so it is sent again, after a full-jitter
 * pause (as AWS advises; the SDK does not retry cancellations itself). Past these attempts the kit
 * answers 503 with Retry-After.
 */
const TRANSACTION_CONFLICT_RETRIES = 3;
const TRANSACTION_CONFLICT_BACKOFF_MS = 25;

/** Next value of a per-tenant integer sequence (users, API keys, rules…): one atomic UpdateItem. */
export async function nextId(tenantId: string, sequence: string): Promise<number> {
  const out = await db.send(
    new UpdateCommand({
      TableName: tableName,
      Key: counterKey(tenantId, sequence),
      UpdateExpression: "ADD #value :one SET #type = :type",
      ExpressionAttributeNames: { "#value": "value", "#type": "type" },
      ExpressionAttributeValues: { ":one": 1, ":type": "Counter" },
      ReturnValues: "UPDATED_NEW",
    }),
  );
  return Number(out.Attributes?.value);
}

export interface Page<T> {
  items: T[];
  /** Opaque cursor for the next page, or null at the end. */
  cursor: string | null;
}

export interface QueryOptions {
  tenantId: string;
  pk: string;
  skBeginsWith?: string;
  skBetween?: [string, string];
  index?: "GSI1" | "GSI2";
  limit?: number;
  cursor?: string | null;
  descending?: boolean;
  consistent?: boolean;
  filter?: Pick<QueryCommandInput, "FilterExpression" | "ExpressionAttributeNames" | "ExpressionAttributeValues">;
  /** Only these attributes of each item (a ProjectionExpression); every attribute when absent. */
  attributes?: string[];
}

/** One page of a tenant-scoped Query; the cursor is checked to belong to the same tenant. */
export async function queryPage(opts: QueryOptions): Promise<Page<Item>> {
  if (!isTenantKey(opts.tenantId, opts.pk)) throw new Error("queryPage: partition key is not tenant-scoped");
  const pkName = opts.index ? `${opts.index}PK` : "PK";
  const skName = opts.index ? `${opts.index}SK` : "SK";
  const names: Record<string, string> = { "#pk": pkName, ...opts.filter?.ExpressionAttributeNames };
  const values: Record<string, unknown> = { ":pk": opts.pk, ...opts.filter?.ExpressionAttributeValues };
  let condition = "#pk = :pk";
  if (opts.skBeginsWith !== undefined) {
    names["#sk"] = skName;
    values[":skp"] = opts.skBeginsWith;
    condition += " AND begins_with(#sk, :skp)";
  } else if (opts.skBetween) {
    names["#sk"] = skName;
    values[":ska"] = opts.skBetween[0];
    values[":skb"] = opts.skBetween[1];
    condition += " AND #sk BETWEEN :ska AND :skb";
  }
  opts.attributes?.forEach((a, i) => {
    names[`#a${i}`] = a;
  });
  const out = await db.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: opts.index,
      KeyConditionExpression: condition,
      FilterExpression: opts.filter?.FilterExpression,
      ProjectionExpression: opts.attributes?.map((_, i) => `#a${i}`).join(", "),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      Limit: opts.limit,
      ScanIndexForward: !opts.descending,
      ConsistentRead: opts.index ? undefined : opts.consistent,
      ExclusiveStartKey: opts.cursor ? decodeCursor(opts.tenantId, opts.cursor) : undefined,
    }),
  );
  return { items: out.Items ?? [], cursor: out.LastEvaluatedKey ? encodeCursor(out.LastEvaluatedKey) : null };
}

/** Reads every page of a tenant-scoped Query (for bounded sets such as a tenant's users). */
export async function queryAll(opts: Omit<QueryOptions, "cursor">, max = 10_000): Promise<Item[]> {
  const all: Item[] = [];
  let cursor: string | null = null;
  do {
    const page: Page<Item> = await queryPage({ ...opts, cursor });
    all.push(...page.items);
    cursor = page.cursor;
  } while (cursor && all.length < max);
  return all;
}

export function encodeCursor(lastKey: Item): string {
  return Buffer.from(JSON.stringify(lastKey)).toString("base64url");
}

export function decodeCursor(tenantId: string, cursor: string): Item {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw new Invalid("cursor: not a cursor this API issued", [
      { loc: ["query", "cursor"], msg: "invalid cursor", type: "value_error" },
    ]);
  }
  const ok =
    typeof parsed === "object" &&
    parsed !== null &&
    Object.entries(parsed).every(([k, v]) => (k.endsWith("PK") ? isTenantKey(tenantId, v) : typeof v === "string"));
  if (!ok) {
    throw new Invalid("cursor: not a cursor this API issued", [
      { loc: ["query", "cursor"], msg: "invalid cursor", type: "value_error" },
    ]);
  }
  return parsed as Item;
}

function buildUpdate(changes: Item) {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const sets: string[] = ["#version = #version + :one"];
  const removes: string[] = [];
  let i = 0;
  for (const [attr, value] of Object.entries(changes)) {
    const n = `#a${i}`;
    names[n] = attr;
    if (value === undefined) removes.push(n);
    else {
      values[`:v${i}`] = value;
      sets.push(`${n} = :v${i}`);
    }
    i++;
  }
  const expression = `SET ${sets.join(", ")}${removes.length ? ` REMOVE ${removes.join(", ")}` : ""}`;
  return { expression, names, values };
}

function mapConditionFailure(e: unknown, message: string): unknown {
  const name = (e as { name?: string }).name;
  if (name === "ConditionalCheckFailedException" || name === "TransactionCanceledException") {
    return new Conflict(message);
  }
  return e;
}
