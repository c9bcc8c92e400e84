/**
 * The firewall's reads over what the gateways report: log lines of a time window with statistics,
 * today's counters and the hits of each rule.
 */
import { readFirewallCounters } from "#shared/fleet/db/firewall-counters.ts";
import { readFirewallLines } from "#shared/fleet/db/firewall-log.ts";
import { readRuleHits } from "#shared/fleet/db/firewall-rule-hits.ts";

const startOfDay = (now: Date) => new Date(`${now.toISOString().slice(0, 10)}T00:00:00.000Z`);

export async function firewallStatsToday(tenantId: string, now: Date, gatewayId?: number) {
  const c = await readFirewallCounters(tenantId, startOfDay(now), now, gatewayId);
  return {
    packets_blocked_today: (c.actions.DROP ?? 0) + (c.actions.REJECT ?? 0),
    packets_allowed_today: c.actions.ACCEPT ?? 0,
    unique_ips_blocked: c.ips.size,
    dos_attacks_blocked: c.dos,
    port_scans_blocked: c.scans,
  };
}

export async function ruleHits(tenantId: string) {
  return readRuleHits(tenantId);
}

const top = <K>(m: Map<K, number>, n: number) =>
  [...m.entries()].sort((a, b) => b[1] - a[1] || String(a[0]).localeCompare(String(b[0]))).slice(0, n);

/**
 * Log lines of the last `hours`, newest first. `total` counts every line in the window, `filtered`
 * those matching the action filter, `logs` holds the newest `limit` of them. Statistics come from
 * hourly counters, so they cover whole hours: the window is widened to the start of its first hour.
 */
export async function firewallLogs(
  tenantId: string,
  q: { hours: number; action?: "DROP" | "REJECT" | "ACCEPT"; limit: number; gatewayId?: number; now: Date },
) {
  const from = new Date(q.now.getTime() - q.hours * 3600_000);
  const [counters, matching] = await Promise.all([
    readFirewallCounters(tenantId, from, q.now, q.gatewayId),
    readFirewallLines(tenantId, from, q.now, { gatewayId: q.gatewayId, action: q.action, max: q.limit }),
  ]);
  const total = Object.values(counters.actions).reduce((a, b) => a + b, 0);
  return {
    logs: matching.slice(0, q.limit).map((l) => ({
      timestamp: l.timestamp,
      action: l.action,
      protocol: l.protocol,
      source_ip: l.source_ip,
      source_port: l.source_port ?? null,
      destination_ip: l.destination_ip,
      destination_port: l.destination_port ?? null,
      interface: l.interface ?? null,
      rule_name: l.rule_name ?? null,
      bytes: l.bytes ?? null,
      ...(l.reason ? { reason: l.reason } : {}),
      gateway_id: l.gateway_id,
    })),
    total,
    filtered: q.action ? (counters.actions[q.action] ?? 0) : total,
    statistics: {
      dropped: counters.actions.DROP ?? 0,
      accepted: counters.actions.ACCEPT ?? 0,
      rejected: counters.actions.REJECT ?? 0,
      top_source_ips: top(counters.ips, 10).map(([ip, count]) => ({ ip, count })),
      top_blocked_ports: top(counters.ports, 10).map(([port, count]) => ({ port, count })),
    },
  };
}
