/**
 * Daily SSH counters per gateway, maintained at ingest so the reads sum a few items:
 *
 *   T#<t>#SSHSTAT / <yyyy-mm-dd>#<gateway>   connections, failed attempts, last connection
 *
 * Access patterns: add to a day's counters (UpdateItem; the last connection only moves forward);
 * today's counters and the latest connection of the last 7 days (one Query over the daily items).
 */
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { db, tableName } from "#shared/table/client.ts";
import { pad, tenantPk } from "#shared/table/keys.ts";
import { queryAll } from "#shared/table/repo.ts";
import { addCounters, day } from "./event-writes.ts";
import type { AuthFailureRecord } from "./ssh-auth-failures.ts";

export const sshCounterKeys = {
  pk: (t: string) => `${tenantPk(t)}#SSHSTAT`,
};

export async function addSshCounters(
  tenantId: string,
  gatewayId: number,
  at: string,
  counters: { connections?: number; failed?: number },
  expiresAt: number,
): Promise<void> {
  const c = new Map<string, number>();
  if (counters.connections) c.set("connections", counters.connections);
  if (counters.failed) c.set("failed", counters.failed);
  const sets: Record<string, unknown> = { type: "SshStats", gateway_id: gatewayId, expiresAt };
  await addCounters({ PK: sshCounterKeys.pk(tenantId), SK: `${day(at)}#${pad(gatewayId)}` }, c, sets);
  if (counters.connections) {
    await db
      .send(
        new UpdateCommand({
          TableName: tableName,
          Key: { PK: sshCounterKeys.pk(tenantId), SK: `${day(at)}#${pad(gatewayId)}` },
          UpdateExpression: "SET #last = :at",
          ConditionExpression: "attribute_not_exists(#last) OR #last < :at",
          ExpressionAttributeNames: { "#last": "last_connection" },
          ExpressionAttributeValues: { ":at": at },
        }),
      )
      .catch((e: { name?: string }) => {
        if (e.name !== "ConditionalCheckFailedException") throw e;
      });
  }
}

/** The daily `failed` counter of each gateway and UTC day the failures fall on. */
export async function countAuthFailures(
  tenantId: string,
  failures: AuthFailureRecord[],
  expiresAt: number,
): Promise<void> {
  const perDay = new Map<string, { gateway: number; at: string; count: number }>();
  for (const f of failures) {
    const key = `${day(f.timestamp)}#${f.gateway_id}`;
    const g = perDay.get(key) ?? { gateway: f.gateway_id, at: f.timestamp, count: 0 };
    g.count++;
    perDay.set(key, g);
  }
  for (const g of perDay.values()) await addSshCounters(tenantId, g.gateway, g.at, { failed: g.count }, expiresAt);
}

/** Today's counters and the latest connection of the last 7 days (one Query over the daily items). */
export async function readSshStats(tenantId: string, now: Date, gatewayId?: number) {
  const today = day(now.toISOString());
  const from = day(new Date(now.getTime() - 7 * 86_400_000).toISOString());
  const items = await queryAll({ tenantId, pk: sshCounterKeys.pk(tenantId), skBetween: [from, `${today}~`] });
  let connectionsToday = 0;
  let failedToday = 0;
  let last: string | null = null;
  for (const i of items) {
    if (gatewayId !== undefined && i.gateway_id !== gatewayId) continue;
    if (String(i.SK).startsWith(`${today}#`)) {
      connectionsToday += Number(i.connections ?? 0);
      failedToday += Number(i.failed ?? 0);
    }
    if (typeof i.last_connection === "string" && (last === null || i.last_connection > last)) last = i.last_connection;
  }
  return { connectionsToday, failedToday, last };
}
