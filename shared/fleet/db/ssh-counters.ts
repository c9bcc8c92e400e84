/**
 * Daily SSH counters per gateway, maintained at ingest so the reads sum a few items:
 *
 *   T#<t>#SSHSTAT / <yyyy-mm-dd>#<gateway>   connections, failed attempts, last connection
 *
 * Access patterns: add to a day's counters (UpdateItem ADD; the last connection only moves
 * forward, a conditional UpdateItem); today's counters and the latest connection of the last 7
 * days (one Query over the daily items).
 */
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "zod/mini";
import { db, tableName } from "#shared/table/client.ts";
import { pad, tenantPk } from "#shared/table/keys.ts";
import { queryAll } from "#shared/table/repo.ts";
import { addCounters, day } from "./event-writes.ts";
import type { SshAuthFailure } from "./ssh-auth-failures.ts";

export const sshCounterKeys = {
  pk: (t: string) => `${tenantPk(t)}#SSHSTAT`,
  sk: (d: string, gatewayId: number) => `${d}#${pad(gatewayId)}`,
};

export const SshCounterItem = z.object({
  SK: z.string(),
  type: z.literal("SshStats"),
  gateway_id: z.number(),
  connections: z._default(z.number(), 0),
  failed: z._default(z.number(), 0),
  last_connection: z.optional(z.string()),
  expiresAt: z.number(),
});

export interface SshCounters {
  connectionsToday: number;
  failedToday: number;
  /** The latest connection of the last 7 days, or null. */
  lastConnection: string | null;
}

export async function addSshCounters(
  tenantId: string,
  gatewayId: number,
  at: string,
  counters: { connections?: number; failed?: number },
  expiresAt: number,
): Promise<void> {
  const key = { PK: sshCounterKeys.pk(tenantId), SK: sshCounterKeys.sk(day(at), gatewayId) };
  const c = new Map<string, number>();
  if (counters.connections) c.set("connections", counters.connections);
  if (counters.failed) c.set("failed", counters.failed);
  await addCounters(key, c, { type: "SshStats", gateway_id: gatewayId, expiresAt });
  if (counters.connections) {
    await db
      .send(
        new UpdateCommand({
          TableName: tableName,
          Key: key,
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

/** Adds failed SSH logins to the daily `failed` counter of each gateway and UTC day they fall on. */
export async function addSshAuthFailureCounts(
  tenantId: string,
  failures: SshAuthFailure[],
  expiresAt: number,
): Promise<void> {
  const perDay = new Map<string, { gateway: number; at: string; count: number }>();
  for (const f of failures) {
    const key = `${day(f.timestamp)}#${f.gatewayId}`;
    const g = perDay.get(key) ?? { gateway: f.gatewayId, at: f.timestamp, count: 0 };
    g.count++;
    perDay.set(key, g);
  }
  for (const g of perDay.values()) await addSshCounters(tenantId, g.gateway, g.at, { failed: g.count }, expiresAt);
}

/** Today's counters and the latest connection of the last 7 days (one Query over the daily items). */
export async function readSshCounters(tenantId: string, now: Date, gatewayId?: number): Promise<SshCounters> {
  const today = day(now.toISOString());
  const from = day(new Date(now.getTime() - 7 * 86_400_000).toISOString());
  const items = await queryAll({ tenantId, pk: sshCounterKeys.pk(tenantId), skBetween: [from, `${today}~`] });
  const out: SshCounters = { connectionsToday: 0, failedToday: 0, lastConnection: null };
  for (const item of items) {
    const i = SshCounterItem.parse(item);
    if (gatewayId !== undefined && i.gateway_id !== gatewayId) continue;
    if (i.SK.startsWith(`${today}#`)) {
      out.connectionsToday += i.connections;
      out.failedToday += i.failed;
    }
    if (i.last_connection !== undefined && (out.lastConnection === null || i.last_connection > out.lastConnection)) {
      out.lastConnection = i.last_connection;
    }
  }
  return out;
}
