/**
 * Firewall log lines the gateways report, one item each, with the events' TTL (`expiresAt`):
 *
 *   T#<t>#FWLOG#<yyyy-mm-dd> / <timestamp>#<gateway>#<nonce>   one firewall log line
 *
 * Access patterns: store a batch (BatchWrite); the newest lines of a time window (Query per day,
 * newest first), optionally of one action and one gateway (filtered in DynamoDB).
 *
 * Items keep the snake_case attribute names they were first written with; the domain sees
 * `FirewallLogLine` (camelCase), converted here.
 */
import { randomUUID } from "node:crypto";
import * as z from "zod/mini";
import { pad, tenantPk } from "#shared/table/keys.ts";
import { queryAll } from "#shared/table/repo.ts";
import { batchPut, day } from "./event-writes.ts";

export const firewallLogKeys = {
  dayPk: (t: string, d: string) => `${tenantPk(t)}#FWLOG#${d}`,
};

export const LOG_ACTIONS = ["ACCEPT", "DROP", "REJECT", "LOG"] as const;

export const FirewallLogItem = z.object({
  gateway_id: z.number(),
  timestamp: z.string(),
  /** LOG: a log-only rule matched (the packet went on to the next rule). */
  action: z.enum(LOG_ACTIONS),
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
type FirewallLogItem = z.infer<typeof FirewallLogItem>;

export interface FirewallLogLine {
  gatewayId: number;
  timestamp: string;
  action: FirewallLogItem["action"];
  protocol: string;
  sourceIp: string;
  sourcePort?: number;
  destinationIp: string;
  destinationPort?: number;
  interface?: string;
  ruleId?: number;
  ruleName?: string;
  bytes?: number;
  reason?: string;
  category?: FirewallLogItem["category"];
}

const toItem = (l: FirewallLogLine): FirewallLogItem => ({
  timestamp: l.timestamp,
  action: l.action,
  protocol: l.protocol,
  source_ip: l.sourceIp,
  source_port: l.sourcePort,
  destination_ip: l.destinationIp,
  destination_port: l.destinationPort,
  interface: l.interface,
  rule_id: l.ruleId,
  rule_name: l.ruleName,
  bytes: l.bytes,
  reason: l.reason,
  category: l.category,
  gateway_id: l.gatewayId,
});

const fromItem = (i: FirewallLogItem): FirewallLogLine => ({
  gatewayId: i.gateway_id,
  timestamp: i.timestamp,
  action: i.action,
  protocol: i.protocol,
  sourceIp: i.source_ip,
  sourcePort: i.source_port,
  destinationIp: i.destination_ip,
  destinationPort: i.destination_port,
  interface: i.interface,
  ruleId: i.rule_id,
  ruleName: i.rule_name,
  bytes: i.bytes,
  reason: i.reason,
  category: i.category,
});

export async function putFirewallLogLines(
  tenantId: string,
  lines: FirewallLogLine[],
  expiresAt: number,
): Promise<void> {
  await batchPut(
    lines.map((l) => ({
      PK: firewallLogKeys.dayPk(tenantId, day(l.timestamp)),
      SK: `${l.timestamp}#${pad(l.gatewayId)}#${randomUUID().slice(0, 8)}`,
      type: "FirewallLine",
      ...toItem(l),
      expiresAt,
    })),
  );
}

/** The newest `max` lines in [from, to], optionally of one action and one gateway (filtered in DynamoDB). */
export async function readFirewallLogLines(
  tenantId: string,
  from: Date,
  to: Date,
  opts: { gatewayId?: number; action?: FirewallLogLine["action"]; max: number },
): Promise<FirewallLogLine[]> {
  const lines: FirewallLogLine[] = [];
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
        pk: firewallLogKeys.dayPk(tenantId, day(new Date(d).toISOString())),
        skBetween: [fromIso, `${toIso}~`],
        descending: true,
        limit: Math.min(wanted, 1000),
        filter,
      },
      wanted,
    );
    for (const item of items) lines.push(fromItem(FirewallLogItem.parse(item)));
  }
  return lines.slice(0, opts.max);
}
