/**
 * The firewall's reads over what the gateways report: log lines of a time window with their
 * statistics, today's counters, and the hits of each rule. What a route answers is shaped by
 * views.ts.
 */
import { readFirewallCounters } from "#shared/fleet/db/firewall-counters.ts";
import { type FirewallLogLine, readFirewallLogLines } from "#shared/fleet/db/firewall-log.ts";
import { type RuleHits, readRuleHits } from "#shared/fleet/db/firewall-rule-hits.ts";

export type { FirewallLogLine, RuleHits };

const startOfDay = (now: Date) => new Date(`${now.toISOString().slice(0, 10)}T00:00:00.000Z`);

export interface FirewallStatsToday {
  packetsBlocked: number;
  packetsAllowed: number;
  uniqueIpsBlocked: number;
  dosAttacksBlocked: number;
  portScansBlocked: number;
}

export async function firewallStatsToday(tenantId: string, now: Date, gatewayId?: number): Promise<FirewallStatsToday> {
  const c = await readFirewallCounters(tenantId, startOfDay(now), now, gatewayId);
  return {
    packetsBlocked: (c.actions.DROP ?? 0) + (c.actions.REJECT ?? 0),
    packetsAllowed: c.actions.ACCEPT ?? 0,
    uniqueIpsBlocked: c.ips.size,
    dosAttacksBlocked: c.dos,
    portScansBlocked: c.scans,
  };
}

/** Every rule's hits, by rule id. */
export async function ruleHits(tenantId: string): Promise<Map<number, RuleHits>> {
  return readRuleHits(tenantId);
}

const top = <K>(m: Map<K, number>, n: number) =>
  [...m.entries()].sort((a, b) => b[1] - a[1] || String(a[0]).localeCompare(String(b[0]))).slice(0, n);

export type LogAction = "DROP" | "REJECT" | "ACCEPT";

export interface FirewallLogs {
  /** The newest `limit` lines matching the filter, newest first. */
  lines: FirewallLogLine[];
  /** Every line in the window. */
  total: number;
  /** The lines matching the action filter. */
  filtered: number;
  statistics: {
    dropped: number;
    accepted: number;
    rejected: number;
    topSourceIps: { ip: string; count: number }[];
    topBlockedPorts: { port: number; count: number }[];
  };
}

/**
 * Log lines of the last `hours`, newest first. `total` counts every line in the window, `filtered`
 * those matching the action filter, `lines` holds the newest `limit` of them. Statistics come from
 * hourly counters, so they cover whole hours: the window is widened to the start of its first hour.
 */
export async function firewallLogs(
  tenantId: string,
  q: { hours: number; action?: LogAction; limit: number; gatewayId?: number },
  now = new Date(),
): Promise<FirewallLogs> {
  const from = new Date(now.getTime() - q.hours * 3600_000);
  const [counters, matching] = await Promise.all([
    readFirewallCounters(tenantId, from, now, q.gatewayId),
    readFirewallLogLines(tenantId, from, now, { gatewayId: q.gatewayId, action: q.action, max: q.limit }),
  ]);
  const total = Object.values(counters.actions).reduce((a, b) => a + b, 0);
  return {
    lines: matching.slice(0, q.limit),
    total,
    filtered: q.action ? (counters.actions[q.action] ?? 0) : total,
    statistics: {
      dropped: counters.actions.DROP ?? 0,
      accepted: counters.actions.ACCEPT ?? 0,
      rejected: counters.actions.REJECT ?? 0,
      topSourceIps: top(counters.ips, 10).map(([ip, count]) => ({ ip, count })),
      topBlockedPorts: top(counters.ports, 10).map(([port, count]) => ({ port, count })),
    },
  };
}
