/**
 * Firewall log lines the gateways report, one item each, with the events' TTL (`expiresAt`):
 *
 *   T#<t>#FWLOG#<yyyy-mm-dd> / <timestamp>#<gateway>#<nonce>   one firewall log line
 *
 * Access patterns: the newest lines of a time window (Query per day, newest first), optionally of
 * one action and one gateway (filtered in DynamoDB).
 */
import { randomUUID } from "node:crypto";
import * as z from "zod/mini";
import { pad, tenantPk } from "#shared/table/keys.ts";
import { queryAll } from "#shared/table/repo.ts";
import { batchPut, day } from "./event-writes.ts";

export const firewallLogKeys = {
  dayPk: (t: string, d: string) => `${tenantPk(t)}#FWLOG#${d}`,
};

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

export async function storeFirewallLines(tenantId: string, lines: FirewallLine[], expiresAt: number): Promise<void> {
  await batchPut(
    lines.map((l) => ({
      PK: firewallLogKeys.dayPk(tenantId, day(l.timestamp)),
      SK: `${l.timestamp}#${pad(l.gateway_id)}#${randomUUID().slice(0, 8)}`,
      type: "FirewallLine",
      ...l,
      expiresAt,
    })),
  );
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
        pk: firewallLogKeys.dayPk(tenantId, day(new Date(d).toISOString())),
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
