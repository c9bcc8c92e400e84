/**
 * SSH sessions the gateways report, one item per SSH session holding its latest state, with the
 * events' TTL (`expiresAt`):
 *
 *   T#<t>#SSHSESS / <ssh session id>                          one SSH session (latest state)
 *        GSI1 T#<t>#SSHDAY#<yyyy-mm-dd> / <started>#<id>      SSH sessions started that day
 *        GSI2 T#<t>#SSHACTIVE / <started>#<id>                sparse: SSH sessions still active
 *
 * Access patterns: get one (GetItem); the active ones (GSI2, newest first); those started on a day
 * (GSI1, newest first); count the active ones (GSI2, every page); record a termination request
 * (UpdateItem, conditional on the SSH session existing).
 *
 * Items keep the snake_case attribute names they were first written with; the domain sees
 * `SshSession` (camelCase), converted here.
 */
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "zod/mini";
import { db, tableName } from "#shared/table/client.ts";
import { tenantPk } from "#shared/table/keys.ts";
import { getItem, type Item, queryAll, queryPage } from "#shared/table/repo.ts";
import { batchPut, day } from "./event-writes.ts";

export const sshSessionKeys = {
  sshSession: (t: string, id: string) => ({ PK: `${tenantPk(t)}#SSHSESS`, SK: id }),
  startedOnPk: (t: string, d: string) => `${tenantPk(t)}#SSHDAY#${d}`,
  activePk: (t: string) => `${tenantPk(t)}#SSHACTIVE`,
  /** The sort key of both indexes: newest first when read descending. */
  indexSk: (started: string, id: string) => `${started}#${id}`,
};

const TerminationRequestedItem = z.object({
  reason: z.string(),
  requested_at: z.string(),
  requested_by: z.string(),
  notify_user: z.boolean(),
});

export const SshSessionItem = z.object({
  /** The API's id: `gw<gateway id>-<the gateway's own SSH session id>`. */
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
  termination_requested: z.optional(TerminationRequestedItem),
});
type SshSessionItem = z.infer<typeof SshSessionItem>;

/** Who asked the cloud to end an SSH session, when and why. */
export interface SshTerminationRequest {
  reason: string;
  requestedAt: string;
  requestedBy: string;
  notifyUser: boolean;
}

export interface SshSession {
  /** The API's id: `gw<gateway id>-<the gateway's own SSH session id>`. */
  id: string;
  /** The id the gateway reported (what `terminate_sessions` in its shadow must name). */
  deviceSessionId: string;
  gatewayId: number;
  username: string;
  clientIp: string;
  clientHostname?: string;
  started: string;
  ended?: string;
  commandCount: number;
  lastCommand?: string;
  lastCommandTime?: string;
  tty?: string;
  processId?: number;
  lastActivity?: string;
  terminationReason?: string;
  terminationRequested?: SshTerminationRequest;
}

const terminationItem = (t: SshTerminationRequest): z.infer<typeof TerminationRequestedItem> => ({
  reason: t.reason,
  requested_at: t.requestedAt,
  requested_by: t.requestedBy,
  notify_user: t.notifyUser,
});

const toItem = (s: SshSession): SshSessionItem => ({
  session_id: s.id,
  device_session_id: s.deviceSessionId,
  gateway_id: s.gatewayId,
  username: s.username,
  client_ip: s.clientIp,
  client_hostname: s.clientHostname,
  started: s.started,
  ended: s.ended,
  command_count: s.commandCount,
  last_command: s.lastCommand,
  last_command_time: s.lastCommandTime,
  tty: s.tty,
  process_id: s.processId,
  last_activity: s.lastActivity,
  termination_reason: s.terminationReason,
  termination_requested: s.terminationRequested && terminationItem(s.terminationRequested),
});

const fromItem = (i: SshSessionItem): SshSession => ({
  id: i.session_id,
  deviceSessionId: i.device_session_id,
  gatewayId: i.gateway_id,
  username: i.username,
  clientIp: i.client_ip,
  clientHostname: i.client_hostname,
  started: i.started,
  ended: i.ended,
  commandCount: i.command_count,
  lastCommand: i.last_command,
  lastCommandTime: i.last_command_time,
  tty: i.tty,
  processId: i.process_id,
  lastActivity: i.last_activity,
  terminationReason: i.termination_reason,
  terminationRequested: i.termination_requested && {
    reason: i.termination_requested.reason,
    requestedAt: i.termination_requested.requested_at,
    requestedBy: i.termination_requested.requested_by,
    notifyUser: i.termination_requested.notify_user,
  },
});

const parseSshSession = (item: Item) => fromItem(SshSessionItem.parse(item));

/** Writes the SSH session's latest state. An ended SSH session leaves the active index. */
export async function putSshSession(tenantId: string, s: SshSession, expiresAt: number): Promise<void> {
  const existing = await getItem(sshSessionKeys.sshSession(tenantId, s.id), true);
  const merged: SshSession = existing ? { ...parseSshSession(existing), ...stripUndefined(s) } : s;
  // An end, once seen, is final: a late "activity" report must not reopen the SSH session.
  if (existing?.ended && !s.ended) merged.ended = String(existing.ended);
  const item: Item = {
    ...sshSessionKeys.sshSession(tenantId, s.id),
    type: "SshSession",
    ...toItem(merged),
    GSI1PK: sshSessionKeys.startedOnPk(tenantId, day(merged.started)),
    GSI1SK: sshSessionKeys.indexSk(merged.started, merged.id),
    expiresAt,
  };
  if (!merged.ended) {
    item.GSI2PK = sshSessionKeys.activePk(tenantId);
    item.GSI2SK = sshSessionKeys.indexSk(merged.started, merged.id);
  }
  await batchPut([item]);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export async function getSshSession(tenantId: string, id: string): Promise<SshSession | undefined> {
  const item = await getItem(sshSessionKeys.sshSession(tenantId, id), true);
  return item ? parseSshSession(item) : undefined;
}

export async function setSshTerminationRequested(
  tenantId: string,
  id: string,
  request: SshTerminationRequest,
): Promise<void> {
  await db.send(
    new UpdateCommand({
      TableName: tableName,
      Key: sshSessionKeys.sshSession(tenantId, id),
      UpdateExpression: "SET #tr = :tr",
      ConditionExpression: "attribute_exists(PK)",
      ExpressionAttributeNames: { "#tr": "termination_requested" },
      ExpressionAttributeValues: { ":tr": terminationItem(request) },
    }),
  );
}

export async function activeSshSessions(tenantId: string): Promise<SshSession[]> {
  const items = await queryAll(
    { tenantId, pk: sshSessionKeys.activePk(tenantId), index: "GSI2", descending: true },
    1000,
  );
  return items.map(parseSshSession);
}

export async function countActiveSshSessions(tenantId: string): Promise<number> {
  let count = 0;
  let cursor: string | null = null;
  do {
    const page: Awaited<ReturnType<typeof queryPage>> = await queryPage({
      tenantId,
      pk: sshSessionKeys.activePk(tenantId),
      index: "GSI2",
      cursor,
    });
    count += page.items.length;
    cursor = page.cursor;
  } while (cursor);
  return count;
}

export async function sshSessionsStartedOn(tenantId: string, d: string): Promise<SshSession[]> {
  const items = await queryAll(
    { tenantId, pk: sshSessionKeys.startedOnPk(tenantId, d), index: "GSI1", descending: true },
    1000,
  );
  return items.map(parseSshSession);
}
