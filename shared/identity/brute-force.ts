/**
 * Brute-force defence per source address, across every login route and every tenant. Failed
 * sign-ins are counted per IP in one global item `G#IPFAIL#<ip>` (a failure on an unknown login
 * name has no tenant, so the counter cannot live in one): how many failures in the current window,
 * which distinct login names (hashed) they tried, and which tenants' accounts they targeted.
 *
 * Two trips block the address for `brute_force_protection.block_duration` minutes:
 * - `brute_force_ip_blocked`: `max_attempts_per_ip` failures within `window_minutes`;
 * - `credential_stuffing`: `account_protection.ip_blacklist_threshold` distinct login names failed
 *   within the window (one password tried against many accounts; the per-account lockout never
 *   sees more than one failure per account).
 * Thresholds come from the policy of the tenant whose account the failing attempt targeted
 * (the defaults for unknown names). The trip is audited in the trail of every tenant whose
 * accounts were targeted from that address in the window; an address that only ever tried unknown
 * names is blocked all the same, but there is no tenant trail to write that to.
 */
import { createHash } from "node:crypto";
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "zod/mini";
import { db, tableName } from "#shared/table/client.ts";
import type { Key } from "#shared/table/keys.ts";
import type { Item } from "#shared/table/repo.ts";
import type { AuthPolicy } from "./auth-policy.ts";

export const ipFailKey = (ip: string): Key => ({ PK: `G#IPFAIL#${ip}`, SK: "IPFAIL" });

const IpRecord = z.object({
  count: z._default(z.number(), 0),
  windowStart: z._default(z.number(), 0),
  names: z._default(z.array(z.string()), []),
  tenants: z._default(z.array(z.string()), []),
  blockedUntil: z._default(z.number(), 0),
});

/** Document-client string sets arrive as Set objects: read them as arrays. */
function parseRecord(item: Item | undefined) {
  if (!item) return undefined;
  const asArray = (v: unknown) => (v instanceof Set ? [...v].map(String) : v);
  return IpRecord.parse({ ...item, names: asArray(item.names), tenants: asArray(item.tenants) });
}

/** Epoch ms until which the address is blocked, or 0. */
export function blockedUntil(item: Item | undefined, now = Date.now()): number {
  const until = parseRecord(item)?.blockedUntil ?? 0;
  return until > now ? until : 0;
}

/** Whether a block applies to a sign-in into a tenant with this policy. */
export const ipDefenceOn = (policy: AuthPolicy): boolean =>
  policy.brute_force_protection.enabled || policy.account_protection.ip_blacklist_enabled;

export interface IpTrip {
  tenantId: string;
  event: string;
  eventType: "brute_force_ip_blocked" | "credential_stuffing";
  severity: "high";
  details: Record<string, unknown>;
}

const nameHash = (name: string) => createHash("sha256").update(name).digest("hex").slice(0, 20);

function isConditionFailure(e: unknown): boolean {
  return (e as { name?: string }).name === "ConditionalCheckFailedException";
}

/**
 * Counts one failed sign-in from `ip` (for `normalizedName`, in `tenantId` when the name is known)
 * and blocks the address when a threshold is reached. Answers the audit events of a new block.
 */
export async function recordIpFailure(
  ip: string,
  attempt: { normalizedName: string; tenantId?: string; policy: AuthPolicy },
  now = Date.now(),
): Promise<IpTrip[]> {
  const bf = attempt.policy.brute_force_protection;
  const ap = attempt.policy.account_protection;
  if (!ipDefenceOn(attempt.policy)) return [];
  const windowMs = bf.window_minutes * 60_000;
  const ttl = Math.floor((now + Math.max(windowMs, bf.block_duration * 60_000)) / 1000) + 60;
  const values: Record<string, unknown> = {
    ":one": 1,
    ":now": now,
    ":cutoff": now - windowMs,
    ":ttl": ttl,
    ":type": "IpFailures",
    ":names": new Set([nameHash(attempt.normalizedName)]),
  };
  const adds = ["#count :one", "#names :names"];
  if (attempt.tenantId) {
    values[":tenants"] = new Set([attempt.tenantId]);
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
  let record: ReturnType<typeof parseRecord>;
  try {
    // The common case: the window is still open (or this is the first failure): one atomic update.
    const out = await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: ipFailKey(ip),
        UpdateExpression: `SET #ws = if_not_exists(#ws, :now), #type = :type, #exp = :ttl ADD ${adds.join(", ")}`,
        ConditionExpression: "attribute_not_exists(#ws) OR #ws > :cutoff",
        ExpressionAttributeNames: attempt.tenantId ? names : namesWithoutTenants,
        ExpressionAttributeValues: values,
        ReturnValues: "ALL_NEW",
      }),
    );
    record = parseRecord(out.Attributes);
  } catch (e) {
    if (!isConditionFailure(e)) throw e;
    // The window has passed: start a new one with this failure (a block in force is kept).
    const fresh: Record<string, unknown> = {
      ":one": 1,
      ":now": now,
      ":ttl": ttl,
      ":type": "IpFailures",
      ":names": values[":names"],
    };
    const sets = ["#count = :one", "#ws = :now", "#type = :type", "#exp = :ttl", "#names = :names"];
    if (attempt.tenantId) {
      fresh[":tenants"] = values[":tenants"];
      sets.push("#tenants = :tenants");
    }
    const out = await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: ipFailKey(ip),
        UpdateExpression: `SET ${sets.join(", ")}${attempt.tenantId ? "" : " REMOVE #tenants"}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: fresh,
        ReturnValues: "ALL_NEW",
      }),
    );
    record = parseRecord(out.Attributes);
  }
  if (!record) return [];
  const bruteForce = bf.enabled && record.count >= bf.max_attempts_per_ip;
  const stuffing = ap.ip_blacklist_enabled && record.names.length >= ap.ip_blacklist_threshold;
  if (!bruteForce && !stuffing) return [];
  const until = now + bf.block_duration * 60_000;
  try {
    // Only the request that sets the block reports it, so a trip is audited once.
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
  } catch (e) {
    if (isConditionFailure(e)) return [];
    throw e;
  }
  const trips: IpTrip[] = [];
  for (const tenantId of record.tenants) {
    if (bruteForce) {
      trips.push({
        tenantId,
        event: "IP Blocked (Brute Force)",
        eventType: "brute_force_ip_blocked",
        severity: "high",
        details: { ip, attempts: record.count, window_minutes: bf.window_minutes, block_minutes: bf.block_duration },
      });
    }
    if (stuffing) {
      trips.push({
        tenantId,
        event: "Credential Stuffing Detected",
        eventType: "credential_stuffing",
        severity: "high",
        details: {
          ip,
          distinct_accounts: record.names.length,
          window_minutes: bf.window_minutes,
          block_minutes: bf.block_duration,
        },
      });
    }
  }
  return trips;
}
