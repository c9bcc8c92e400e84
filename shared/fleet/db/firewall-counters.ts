/**
 * Hourly firewall counters per gateway, maintained at ingest (one UpdateItem per hour and gateway
 * of a batch) so the reads sum an hour range's items instead of reading every line:
 *
 *   T#<t>#FWSTAT / <yyyy-mm-ddThh>#<gateway>   per action (`a:DROP`), per blocked source IP
 *                                              (`ip:203.0.113.5`) and port (`port:23`), `dos`, `scan`
 *
 * Access patterns: add a batch of lines' counts (UpdateItem ADD per hour and gateway); sum an hour
 * range (Query between two hours).
 */
import * as z from "zod/mini";
import { pad, tenantPk } from "#shared/table/keys.ts";
import { queryAll } from "#shared/table/repo.ts";
import { addCounters, hour } from "./event-writes.ts";
import type { FirewallLogLine } from "./firewall-log.ts";

export const firewallCounterKeys = {
  pk: (t: string) => `${tenantPk(t)}#FWSTAT`,
};

/** The counters themselves are attributes named after what they count (see the header). */
export const FirewallCounterItem = z.looseObject({
  type: z.literal("FirewallStats"),
  gateway_id: z.number(),
  expiresAt: z.number(),
});

export interface FirewallCounters {
  actions: Record<string, number>;
  ips: Map<string, number>;
  ports: Map<number, number>;
  dos: number;
  scans: number;
}

export async function addFirewallCounters(
  tenantId: string,
  lines: FirewallLogLine[],
  expiresAt: number,
): Promise<void> {
  const groups = new Map<string, { gateway: number; hour: string; counters: Map<string, number> }>();
  for (const l of lines) {
    const key = `${hour(l.timestamp)}#${pad(l.gatewayId)}`;
    const g = groups.get(key) ?? { gateway: l.gatewayId, hour: hour(l.timestamp), counters: new Map() };
    const bump = (name: string) => g.counters.set(name, (g.counters.get(name) ?? 0) + 1);
    bump(`a:${l.action}`);
    if (l.action === "DROP" || l.action === "REJECT") {
      bump(`ip:${l.sourceIp}`);
      if (l.destinationPort !== undefined) bump(`port:${l.destinationPort}`);
      if (l.category === "dos") bump("dos");
      if (l.category === "port_scan") bump("scan");
    }
    groups.set(key, g);
  }
  for (const [sk, g] of groups) {
    await addCounters({ PK: firewallCounterKeys.pk(tenantId), SK: sk }, g.counters, {
      type: "FirewallStats",
      gateway_id: g.gateway,
      expiresAt,
    } satisfies z.input<typeof FirewallCounterItem>);
  }
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
    pk: firewallCounterKeys.pk(tenantId),
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
