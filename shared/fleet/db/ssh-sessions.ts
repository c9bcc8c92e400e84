/**
 * SSH sessions the gateways report, one item per session holding its latest state, with the events'
 * TTL (`expiresAt`):
 *
 *   T#<t>#SSHSESS / <session id>                              one SSH session (latest state)
 *        GSI1 T#<t>#SSHDAY#<yyyy-mm-dd> / <started>#<id>      sessions started that day
 *        GSI2 T#<t>#SSHACTIVE / <started>#<id>                sparse: sessions still open
 *
 * Access patterns: get one (GetItem); the open ones (GSI2, newest first); those started on a day
 * (GSI1, newest first); count the open ones (GSI2, every page).
 */
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "zod/mini";
import { db, tableName } from "#shared/table/client.ts";
import { tenantPk } from "#shared/table/keys.ts";
import { getItem, type Item, queryAll, queryPage } from "#shared/table/repo.ts";
import { batchPut, day } from "./event-writes.ts";

export const sshSessionKeys = {
  session: (t: string, id: string) => ({ PK: `${tenantPk(t)}#SSHSESS`, SK: id }),
  sessionDayPk: (t: string, d: string) => `${tenantPk(t)}#SSHDAY#${d}`,
  sessionActivePk: (t: string) => `${tenantPk(t)}#SSHACTIVE`,
};

export const SessionItem = z.object({
  /** The API's id: `gw<gateway id>-<the gateway's own session id>`. */
  session_id: z.string(),
  /** The id the gateway reported (what `terminate_sessions` in its shadow must name). */
  device_session_id: z.string(),
  gateway_id: z.number(),
  username: z.string(),
  client_ip: z.string(),
  client_hostname: z.optional(z.string()),
  started: z.string(),
  ended: z.optional(z.string()),
  command_count: z._default(z.number(), 0),
  last_command: z.optional(z.string()),
  last_command_time: z.optional(z.string()),
  tty: z.optional(z.string()),
  process_id: z.optional(z.number()),
  last_activity: z.optional(z.string()),
  termination_reason: z.optional(z.string()),
  termination_requested: z.optional(
    z.object({ reason: z.string(), requested_at: z.string(), requested_by: z.string(), notify_user: z.boolean() }),
  ),
});
export type SessionRecord = z.infer<typeof SessionItem>;

/** Writes the session's latest state. An ended session leaves the active index. */
export async function putSession(tenantId: string, s: SessionRecord, expiresAt: number): Promise<void> {
  const existing = await getItem(sshSessionKeys.session(tenantId, s.session_id), true);
  const merged: SessionRecord = existing ? { ...SessionItem.parse(existing), ...stripUndefined(s) } : s;
  // An end, once seen, is final: a late "activity" report must not reopen the session.
  if (existing?.ended && !s.ended) merged.ended = String(existing.ended);
  const item: Item = {
    ...sshSessionKeys.session(tenantId, s.session_id),
    type: "SshSession",
    ...merged,
    GSI1PK: sshSessionKeys.sessionDayPk(tenantId, day(merged.started)),
    GSI1SK: `${merged.started}#${merged.session_id}`,
    expiresAt,
  };
  if (!merged.ended) {
    item.GSI2PK = sshSessionKeys.sessionActivePk(tenantId);
    item.GSI2SK = `${merged.started}#${merged.session_id}`;
  }
  await batchPut([item]);
}

function stripUndefined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export async function getSession(tenantId: string, sessionId: string): Promise<SessionRecord | undefined> {
  const item = await getItem(sshSessionKeys.session(tenantId, sessionId), true);
  return item ? SessionItem.parse(item) : undefined;
}

export async function setTerminationRequested(
  tenantId: string,
  sessionId: string,
  request: NonNullable<SessionRecord["termination_requested"]>,
): Promise<void> {
  await db.send(
    new UpdateCommand({
      TableName: tableName,
      Key: sshSessionKeys.session(tenantId, sessionId),
      UpdateExpression: "SET #tr = :tr",
      ConditionExpression: "attribute_exists(PK)",
      ExpressionAttributeNames: { "#tr": "termination_requested" },
      ExpressionAttributeValues: { ":tr": request },
    }),
  );
}

export async function activeSessions(tenantId: string): Promise<SessionRecord[]> {
  const items = await queryAll(
    { tenantId, pk: sshSessionKeys.sessionActivePk(tenantId), index: "GSI2", descending: true },
    1000,
  );
  return items.map((i) => SessionItem.parse(i));
}

export async function countActive(tenantId: string): Promise<number> {
  let count = 0;
  let cursor: string | null = null;
  do {
    const page: Awaited<ReturnType<typeof queryPage>> = await queryPage({
      tenantId,
      pk: sshSessionKeys.sessionActivePk(tenantId),
      index: "GSI2",
      cursor,
    });
    count += page.items.length;
    cursor = page.cursor;
  } while (cursor);
  return count;
}

export async function sessionsStartedOn(tenantId: string, d: string): Promise<SessionRecord[]> {
  const items = await queryAll(
    { tenantId, pk: sshSessionKeys.sessionDayPk(tenantId, d), index: "GSI1", descending: true },
    1000,
  );
  return items.map((i) => SessionItem.parse(i));
}
