/**
 * Failed sign-ins per source address, across every login route and every tenant: one global item
 * `G#IPFAIL#<ip>` (a failure on an unknown login name has no tenant, so the counter cannot live in
 * one): how many failures in the current window, which distinct login names (hashed) they tried,
 * which tenants' accounts they targeted, and until when the address is blocked. The item's TTL
 * outlives both the window and the block.
 *
 * Access patterns: read with the login pointer (BatchGet, see brute-force.ts), count a failure
 * (UpdateItem ADD, or a fresh window when the old one has passed), set a block (conditional
 * UpdateItem, so only one request reports it).
 */
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "zod/mini";
import { db, tableName } from "#shared/table/client.ts";
import type { Key } from "#shared/table/keys.ts";
import type { Item } from "#shared/table/repo.ts";

export const ipFailKey = (ip: string): Key => ({ PK: `G#IPFAIL#${ip}`, SK: "IPFAIL" });

const IpRecord = z.object({
  count: z._default(z.number(), 0),
  windowStart: z._default(z.number(), 0),
  names: z._default(z.array(z.string()), []),
  tenants: z._default(z.array(z.string()), []),
  blockedUntil: z._default(z.number(), 0),
});
export type IpFailures = z.infer<typeof IpRecord>;

/** Document-client string sets arrive as Set objects: read them as arrays. */
export function parseIpFailures(item: Item | undefined): IpFailures | undefined {
  if (!item) return undefined;
  const asArray = (v: unknown) => (v instanceof Set ? [...v].map(String) : v);
  return IpRecord.parse({ ...item, names: asArray(item.names), tenants: asArray(item.tenants) });
}

function isConditionFailure(e: unknown): boolean {
  return (e as { name?: string }).name === "ConditionalCheckFailedException";
}

/**
 * Counts one failure from `ip` (for the hashed login name, in `tenantId` when the name is known):
 * inside the open window one atomic update; once the window has passed, a new window starts with
 * this failure (a block in force is kept). Answers the record after the count.
 */
export async function countIpFailure(
  ip: string,
  failure: { nameHash: string; tenantId?: string; now: number; windowMs: number; expiresAt: number },
): Promise<IpFailures | undefined> {
  const { now, tenantId } = failure;
  const values: Record<string, unknown> = {
    ":one": 1,
    ":now": now,
    ":cutoff": now - failure.windowMs,
    ":ttl": failure.expiresAt,
    ":type": "IpFailures",
    ":names": new Set([failure.nameHash]),
  };
  const adds = ["#count :one", "#names :names"];
  if (tenantId) {
    values[":tenants"] = new Set([tenantId]);
    adds.push("#tenants :tenants");
  }
  const names: Record<string, string> = {
    "#count": "count",
    "#names": "names",
    "#ws": "windowStart",
    "#type": "type",
    "#exp": "expiresAt",
    "#tenants": "tenants",
  };
  const namesWithoutTenants = Object.fromEntries(Object.entries(names).filter(([k]) => k !== "#tenants"));
  try {
    // The common case: the window is still open (or this is the first failure): one atomic update.
    const out = await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: ipFailKey(ip),
        UpdateExpression: `SET #ws = if_not_exists(#ws, :now), #type = :type, #exp = :ttl ADD ${adds.join(", ")}`,
        ConditionExpression: "attribute_not_exists(#ws) OR #ws > :cutoff",
        ExpressionAttributeNames: tenantId ? names : namesWithoutTenants,
        ExpressionAttributeValues: values,
        ReturnValues: "ALL_NEW",
      }),
    );
    return parseIpFailures(out.Attributes);
  } catch (e) {
    if (!isConditionFailure(e)) throw e;
    // The window has passed: start a new one with this failure (a block in force is kept).
    const fresh: Record<string, unknown> = {
      ":one": 1,
      ":now": now,
      ":ttl": failure.expiresAt,
      ":type": "IpFailures",
      ":names": values[":names"],
    };
    const sets = ["#count = :one", "#ws = :now", "#type = :type", "#exp = :ttl", "#names = :names"];
    if (tenantId) {
      fresh[":tenants"] = values[":tenants"];
      sets.push("#tenants = :tenants");
    }
    const out = await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: ipFailKey(ip),
        UpdateExpression: `SET ${sets.join(", ")}${tenantId ? "" : " REMOVE #tenants"}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: fresh,
        ReturnValues: "ALL_NEW",
      }),
    );
    return parseIpFailures(out.Attributes);
  }
}

/** Blocks the address until `until` (epoch ms); false when a block was already in force (another request set it). */
export async function setIpBlock(ip: string, until: number, now: number): Promise<boolean> {
  try {
    await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: ipFailKey(ip),
        UpdateExpression: "SET #bu = :until, #exp = :ttl",
        ConditionExpression: "attribute_not_exists(#bu) OR #bu <= :now",
        ExpressionAttributeNames: { "#bu": "blockedUntil", "#exp": "expiresAt" },
        ExpressionAttributeValues: { ":until": until, ":now": now, ":ttl": Math.floor(until / 1000) + 60 },
      }),
    );
    return true;
  } catch (e) {
    if (isConditionFailure(e)) return false;
    throw e;
  }
}
