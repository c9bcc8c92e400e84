/**
 * What gateways report, stored with a TTL (`expiresAt`, epoch seconds) and keyed for the reads of
 * the firewall-logs, firewall-status, ssh-sessions and ssh-settings routes:
 *
 *   T#<t>#FWLOG#<yyyy-mm-dd> / <timestamp>#<gateway>#<nonce>   one firewall log line
 *   T#<t>#FWSTAT             / <yyyy-mm-ddThh>#<gateway>         hourly counters: per action, per
 *                                                                 blocked source IP and port, dos/scan
 *   T#<t>#FWHITS             / <rule id>                         hit count and last hit per rule
 *   T#<t>#SSHSESS            / <session id>                      one SSH session (latest state)
 *        GSI1 T#<t>#SSHDAY#<yyyy-mm-dd> / <started>#<id>          sessions started that day
 *        GSI2 T#<t>#SSHACTIVE / <started>#<id>                    sparse: sessions still open
 *   T#<t>#SSHSTAT            / <yyyy-mm-dd>#<gateway>            daily counters: connections,
 *                                                                 failed attempts, last connection
 *   T#<t>#SSHFAIL#<yyyy-mm-dd> / <timestamp>#<gateway>#<nonce>   one failed SSH login
 *   T#<t>#METRICS#<yyyy-mm-dd> / <timestamp>#<gateway>           one metrics sample
 *
 * Counters are maintained at ingest (one UpdateItem per batch), so the reads sum a day's or an
 * hour range's counter items instead of reading every line.
 */
import { randomUUID } from "node:crypto";
import { BatchWriteCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "zod/mini";
import { db, tableName } from "#shared/table/client.ts";
import { pad, tenantPk } from "#shared/table/keys.ts";
import { getItem, type Item, queryAll, queryPage } from "#shared/table/repo.ts";

const day = (iso: string) => iso.slice(0, 10);
const hour = (iso: string) => iso.slice(0, 13);

export const fleetEventKeys = {
  fwLogPk: (t: string, d: string) => `${tenantPk(t)}#FWLOG#${d}`,
  fwStatPk: (t: string) => `${tenantPk(t)}#FWSTAT`,
  fwHitsPk: (t: string) => `${tenantPk(t)}#FWHITS`,
  session: (t: string, id: string) => ({ PK: `${tenantPk(t)}#SSHSESS`, SK: id }),
  sessionDayPk: (t: string, d: string) => `${tenantPk(t)}#SSHDAY#${d}`,
  sessionActivePk: (t: string) => `${tenantPk(t)}#SSHACTIVE`,
  sshStatPk: (t: string) => `${tenantPk(t)}#SSHSTAT`,
  sshFailPk: (t: string, d: string) => `${tenantPk(t)}#SSHFAIL#${d}`,
  metricsPk: (t: string, d: string) => `${tenantPk(t)}#METRICS#${d}`,
};

// ---------------------------------------------------------------------------------------------
// Firewall log lines

export const FirewallLine = z.object({
  gateway_id: z.number(),
  timestamp: z.string(),
  /** LOG: a log-only rule matched (the packet went on to the next rule). */
  action: z.enum(["ACCEPT", "DROP", "REJECT", "LOG"]),
  protocol: z.string(),
  source_ip: z.string(),
  source_port: z.optional(z.number()),
  destination_ip: z.string(),
  destination_port: z.optional(z.number()),
  interface: z.optional(z.string()),
  rule_id: z.optional(z.number()),
  rule_name: z.optional(z.string()),
  bytes: z.optional(z.number()),
  reason: z.optional(z.string()),
  /** What the edge's detectors attribute a drop to: a DoS limit or a port scan. */
  category: z.optional(z.enum(["dos", "port_scan"])),
});
export type FirewallLine = z.infer<typeof FirewallLine>;

async function batchPut(items: Item[]): Promise<void> {
  for (let i = 0; i < items.length; i += 25) {
    let pending = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; pending.length > 0 && attempt < 6; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
      const out = await db.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
      pending = (out.UnprocessedItems?.[tableName] ?? []) as typeof pending;
    }
    if (pending.length > 0) throw new Error(`${pending.length} items unprocessed after retries`);
  }
}

/** Attribute names for counters: `a:DROP`, `ip:203.0.113.5`, `port:23`, `dos`, `scan`. */
function counterUpdate(counters: Map<string, number>, sets: Record<string, unknown>) {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const adds: string[] = [];
  const setParts: string[] = [];
  let i = 0;
  for (const [name, n] of counters) {
    names[`#c${i}`] = name;
    values[`:c${i}`] = n;
    adds.push(`#c${i} :c${i}`);
    i++;
  }
  for (const [name, v] of Object.entries(sets)) {
    names[`#s${i}`] = name;
    values[`:s${i}`] = v;
    setParts.push(`#s${i} = :s${i}`);
    i++;
  }
  const expression = [setParts.length ? `SET ${setParts.join(", ")}` : "", adds.length ? `ADD ${adds.join(", ")}` : ""]
    .filter(Boolean)
    .join(" ");
  return { expression, names, values };
}

async function addCounters(
  key: { PK: string; SK: string },
  counters: Map<string, number>,
  sets: Record<string, unknown>,
) {
  const u = counterUpdate(counters, sets);
  await db.send(
    new UpdateCommand({
      TableName: tableName,
      Key: key,
      UpdateExpression: u.expression,
      ExpressionAttributeNames: u.names,
      ExpressionAttributeValues: u.values,
    }),
  );
}

export async function storeFirewallLines(tenantId: string, lines: FirewallLine[], expiresAt: number): Promise<void> {
  await batchPut(
    lines.map((l) => ({
      PK: fleetEventKeys.fwLogPk(tenantId, day(l.timestamp)),
      SK: `${l.timestamp}#${pad(l.gateway_id)}#${randomUUID().slice(0, 8)}`,
      type: "FirewallLine",
      ...l,
      expiresAt,
    })),
  );
  // Hourly counters per gateway.
  const groups = new Map<string, { gateway: number; hour: string; counters: Map<string, number> }>();
  for (const l of lines) {
    const key = `${hour(l.timestamp)}#${pad(l.gateway_id)}`;
    const g = groups.get(key) ?? { gateway: l.gateway_id, hour: hour(l.timestamp), counters: new Map() };
    const bump = (name: string) => g.counters.set(name, (g.counters.get(name) ?? 0) + 1);
    bump(`a:${l.action}`);
    if (l.action === "DROP" || l.action === "REJECT") {
      bump(`ip:${l.source_ip}`);
      if (l.destination_port !== undefined) bump(`port:${l.destination_port}`);
      if (l.category === "dos") bump("dos");
      if (l.category === "port_scan") bump("scan");
    }
    groups.set(key, g);
  }
  for (const [sk, g] of groups) {
    await addCounters({ PK: fleetEventKeys.fwStatPk(tenantId), SK: sk }, g.counters, {
      type: "FirewallStats",
      gateway_id: g.gateway,
      expiresAt,
    });
  }
  // Rule hits.
  const hits = new Map<number, { count: number; last: string }>();
  for (const l of lines) {
    if (l.rule_id === undefined) continue;
    const h = hits.get(l.rule_id) ?? { count: 0, last: l.timestamp };
    hits.set(l.rule_id, { count: h.count + 1, last: [h.last, l.timestamp].sort()[1] ?? l.timestamp });
  }
  for (const [ruleId, h] of hits) {
    await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { PK: fleetEventKeys.fwHitsPk(tenantId), SK: pad(ruleId) },
        UpdateExpression: "ADD #count :n SET #type = :type, #rule = :rule, #last = if_not_exists(#last, :last)",
        ExpressionAttributeNames: { "#count": "count", "#type": "type", "#rule": "rule_id", "#last": "last_hit" },
        ExpressionAttributeValues: { ":n": h.count, ":type": "FirewallRuleHits", ":rule": ruleId, ":last": h.last },
      }),
    );
    // Keep the latest hit: a second conditional write only when this batch is newer.
    await db
      .send(
        new UpdateCommand({
          TableName: tableName,
          Key: { PK: fleetEventKeys.fwHitsPk(tenantId), SK: pad(ruleId) },
          UpdateExpression: "SET #last = :last",
          ConditionExpression: "#last < :last",
          ExpressionAttributeNames: { "#last": "last_hit" },
          ExpressionAttributeValues: { ":last": h.last },
        }),
      )
      .catch((e: { name?: string }) => {
        if (e.name !== "ConditionalCheckFailedException") throw e;
      });
  }
}

/** The newest `max` lines in [from, to], optionally of one action and one gateway (filtered in DynamoDB). */
export async function readFirewallLines(
  tenantId: string,
  from: Date,
  to: Date,
  opts: { gatewayId?: number; action?: FirewallLine["action"]; max: number },
): Promise<FirewallLine[]> {
  const lines: FirewallLine[] = [];
  const fromIso = from.toISOString();
  const toIso = to.toISOString();
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const conditions: string[] = [];
  if (opts.action !== undefined) {
    names["#action"] = "action";
    values[":action"] = opts.action;
    conditions.push("#action = :action");
  }
  if (opts.gatewayId !== undefined) {
    names["#gw"] = "gateway_id";
    values[":gw"] = opts.gatewayId;
    conditions.push("#gw = :gw");
  }
  const filter = conditions.length
    ? { FilterExpression: conditions.join(" AND "), ExpressionAttributeNames: names, ExpressionAttributeValues: values }
    : undefined;
  // Newest day first, newest line first, so `max` keeps the most recent lines.
  const firstDay = Date.parse(`${day(fromIso)}T00:00:00Z`);
  for (let d = Date.parse(`${day(toIso)}T00:00:00Z`); d >= firstDay && lines.length < opts.max; d -= 86_400_000) {
    const wanted = opts.max - lines.length;
    const items = await queryAll(
      {
        tenantId,
        pk: fleetEventKeys.fwLogPk(tenantId, day(new Date(d).toISOString())),
        skBetween: [fromIso, `${toIso}~`],
        descending: true,
        limit: Math.min(wanted, 1000),
        filter,
      },
      wanted,
    );
    for (const item of items) lines.push(FirewallLine.parse(item));
  }
  return lines.slice(0, opts.max);
}

export interface FirewallCounters {
  actions: Record<string, number>;
  ips: Map<string, number>;
  ports: Map<number, number>;
  dos: number;
  scans: number;
}

/** Sums the hourly counter items from `from`'s hour to `to`'s hour. */
export async function readFirewallCounters(
  tenantId: string,
  from: Date,
  to: Date,
  gatewayId?: number,
): Promise<FirewallCounters> {
  const items = await queryAll({
    tenantId,
    pk: fleetEventKeys.fwStatPk(tenantId),
    skBetween: [hour(from.toISOString()), `${hour(to.toISOString())}~`],
  });
  const out: FirewallCounters = { actions: {}, ips: new Map(), ports: new Map(), dos: 0, scans: 0 };
  for (const item of items) {
    if (gatewayId !== undefined && item.gateway_id !== gatewayId) continue;
    for (const [name, value] of Object.entries(item)) {
      if (typeof value !== "number") continue;
      if (name.startsWith("a:")) out.actions[name.slice(2)] = (out.actions[name.slice(2)] ?? 0) + value;
      else if (name.startsWith("ip:")) out.ips.set(name.slice(3), (out.ips.get(name.slice(3)) ?? 0) + value);
      else if (name.startsWith("port:"))
        out.ports.set(Number(name.slice(5)), (out.ports.get(Number(name.slice(5))) ?? 0) + value);
      else if (name === "dos") out.dos += value;
      else if (name === "scan") out.scans += value;
    }
  }
  return out;
}

export async function readRuleHits(tenantId: string): Promise<Map<number, { count: number; last: string }>> {
  const items = await queryAll({ tenantId, pk: fleetEventKeys.fwHitsPk(tenantId) });
  return new Map(
    items.map((i) => [Number(i.rule_id), { count: Number(i.count ?? 0), last: String(i.last_hit ?? "") }]),
  );
}

// ---------------------------------------------------------------------------------------------
// SSH sessions

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
  const existing = await getItem(fleetEventKeys.session(tenantId, s.session_id), true);
  const merged: SessionRecord = existing ? { ...SessionItem.parse(existing), ...stripUndefined(s) } : s;
  // An end, once seen, is final: a late "activity" report must not reopen the session.
  if (existing?.ended && !s.ended) merged.ended = String(existing.ended);
  const item: Item = {
    ...fleetEventKeys.session(tenantId, s.session_id),
    type: "SshSession",
    ...merged,
    GSI1PK: fleetEventKeys.sessionDayPk(tenantId, day(merged.started)),
    GSI1SK: `${merged.started}#${merged.session_id}`,
    expiresAt,
  };
  if (!merged.ended) {
    item.GSI2PK = fleetEventKeys.sessionActivePk(tenantId);
    item.GSI2SK = `${merged.started}#${merged.session_id}`;
  }
  await batchPut([item]);
}

function stripUndefined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export async function getSession(tenantId: string, sessionId: string): Promise<SessionRecord | undefined> {
  const item = await getItem(fleetEventKeys.session(tenantId, sessionId), true);
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
      Key: fleetEventKeys.session(tenantId, sessionId),
      UpdateExpression: "SET #tr = :tr",
      ConditionExpression: "attribute_exists(PK)",
      ExpressionAttributeNames: { "#tr": "termination_requested" },
      ExpressionAttributeValues: { ":tr": request },
    }),
  );
}

export async function activeSessions(tenantId: string): Promise<SessionRecord[]> {
  const items = await queryAll(
    { tenantId, pk: fleetEventKeys.sessionActivePk(tenantId), index: "GSI2", descending: true },
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
      pk: fleetEventKeys.sessionActivePk(tenantId),
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
    { tenantId, pk: fleetEventKeys.sessionDayPk(tenantId, d), index: "GSI1", descending: true },
    1000,
  );
  return items.map((i) => SessionItem.parse(i));
}

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
  await addCounters({ PK: fleetEventKeys.sshStatPk(tenantId), SK: `${day(at)}#${pad(gatewayId)}` }, c, sets);
  if (counters.connections) {
    await db
      .send(
        new UpdateCommand({
          TableName: tableName,
          Key: { PK: fleetEventKeys.sshStatPk(tenantId), SK: `${day(at)}#${pad(gatewayId)}` },
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

export const AuthFailureItem = z.object({
  gateway_id: z.number(),
  timestamp: z.string(),
  username: z.string(),
  client_ip: z.string(),
  client_port: z.optional(z.number()),
  reason: z.string(),
});
export type AuthFailureRecord = z.infer<typeof AuthFailureItem>;

/**
 * Failed SSH logins: one item each (who tried, from where, why it failed) and the daily `failed`
 * counter of each gateway and UTC day they fall on, all with the sessions' TTL.
 */
export async function storeAuthFailures(
  tenantId: string,
  failures: AuthFailureRecord[],
  expiresAt: number,
): Promise<void> {
  await batchPut(
    failures.map((f) => ({
      PK: fleetEventKeys.sshFailPk(tenantId, day(f.timestamp)),
      SK: `${f.timestamp}#${pad(f.gateway_id)}#${randomUUID().slice(0, 8)}`,
      type: "SshAuthFailure",
      ...f,
      expiresAt,
    })),
  );
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
  const items = await queryAll({ tenantId, pk: fleetEventKeys.sshStatPk(tenantId), skBetween: [from, `${today}~`] });
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

// ---------------------------------------------------------------------------------------------
// Metrics

export async function storeMetrics(
  tenantId: string,
  gatewayId: number,
  at: string,
  sample: Record<string, unknown>,
  expiresAt: number,
): Promise<void> {
  await batchPut([
    {
      PK: fleetEventKeys.metricsPk(tenantId, day(at)),
      SK: `${at}#${pad(gatewayId)}`,
      type: "GatewayMetrics",
      gateway_id: gatewayId,
      timestamp: at,
      sample,
      expiresAt,
    },
  ]);
}
