/**
 * Events the gateways publish (firewall log lines, SSH sessions and login attempts, metrics) and
 * the reads built on them. `ingestFleetEvent` is the IoT rule's target (functions/iot/ingest.ts):
 * it receives one event already validated against the edge contract, checks that the thing belongs
 * to the tenant whose topic it published on, and stores what the routes read, with a TTL.
 */
import { addFirewallCounters, readFirewallCounters } from "#shared/fleet/db/firewall-counters.ts";
import { type FirewallLine, readFirewallLines, storeFirewallLines } from "#shared/fleet/db/firewall-log.ts";
import { addRuleHits, readRuleHits } from "#shared/fleet/db/firewall-rule-hits.ts";
import { storeMetrics } from "#shared/fleet/db/gateway-metrics.ts";
import { getGateway, markSeen } from "#shared/fleet/db/gateways.ts";
import type { TerminateRequest } from "#shared/fleet/db/ssh.ts";
import { type AuthFailureRecord, storeAuthFailures } from "#shared/fleet/db/ssh-auth-failures.ts";
import { addSshCounters, countAuthFailures, readSshStats } from "#shared/fleet/db/ssh-counters.ts";
import {
  activeSessions,
  countActive,
  getSession,
  putSession,
  type SessionRecord,
  sessionsStartedOn,
  setTerminationRequested,
} from "#shared/fleet/db/ssh-sessions.ts";
import { THING_PREFIX } from "#shared/iot/policy.ts";

export type { SessionRecord };

/**
 * How long reported events are kept. Plan retention plugs in here (the billing engineer's seam);
 * today every tenant keeps 7 days.
 */
export async function retentionDays(_tenantId: string): Promise<number> {
  return 7;
}

async function expiryFor(tenantId: string, now: Date): Promise<number> {
  return Math.floor(now.getTime() / 1000) + (await retentionDays(tenantId)) * 86_400;
}

/** `warden-<tenant>-<id>` → id, only if the thing name is this tenant's. */
export function gatewayIdOfThing(tenantId: string, thingName: string): number | undefined {
  const prefix = `${THING_PREFIX}${tenantId}-`;
  if (!thingName.startsWith(prefix)) return undefined;
  const rest = thingName.slice(prefix.length);
  return /^[1-9]\d{0,9}$/.test(rest) ? Number(rest) : undefined;
}

// ---------------------------------------------------------------------------------------------
// Ingest

export type LineInput = Omit<FirewallLine, "gateway_id">;

export type SessionEventKind = "opened" | "activity" | "closed" | "failed";

export interface SessionInput {
  kind: SessionEventKind;
  at: string;
  /** When the session began, as the gateway reports it. */
  started?: string;
  session_id?: string;
  username: string;
  client_ip: string;
  client_hostname?: string;
  tty?: string;
  process_id?: number;
  command_count?: number;
  last_command?: string;
  last_command_time?: string;
  termination_reason?: string;
}

export type AuthFailureInput = Omit<AuthFailureRecord, "gateway_id">;

export type FleetEvent =
  | { kind: "firewall_log"; lines: LineInput[] }
  | { kind: "ssh_session"; session: SessionInput }
  | { kind: "ssh_auth_failure"; failures: AuthFailureInput[] }
  | { kind: "metrics"; at: string; sample: Record<string, unknown> };

export type IngestResult = { stored: true; gatewayId: number } | { stored: false; reason: string };

export async function ingestFleetEvent(
  tenantId: string,
  thingName: string,
  event: FleetEvent,
  now = new Date(),
): Promise<IngestResult> {
  const gatewayId = gatewayIdOfThing(tenantId, thingName);
  if (gatewayId === undefined)
    return { stored: false, reason: `thing '${thingName}' is not a gateway of tenant '${tenantId}'` };
  // The ownership check: metrics also record last_seen in the same conditional write.
  const known =
    event.kind === "metrics"
      ? await markSeen(tenantId, gatewayId, event.at, event.sample)
      : (await getGateway(tenantId, gatewayId)) !== undefined;
  if (!known) return { stored: false, reason: `no gateway ${gatewayId} in tenant '${tenantId}'` };
  const expiresAt = await expiryFor(tenantId, now);
  switch (event.kind) {
    case "firewall_log":
      if (event.lines.length > 0) {
        const lines = event.lines.map((l) => ({ ...l, gateway_id: gatewayId }));
        await storeFirewallLines(tenantId, lines, expiresAt);
        await addFirewallCounters(tenantId, lines, expiresAt);
        await addRuleHits(tenantId, lines);
      }
      break;
    case "metrics":
      await storeMetrics(tenantId, gatewayId, event.at, event.sample, expiresAt);
      break;
    case "ssh_session":
      await ingestSession(tenantId, gatewayId, event.session, expiresAt);
      break;
    case "ssh_auth_failure":
      if (event.failures.length > 0) {
        const failures = event.failures.map((f) => ({ ...f, gateway_id: gatewayId }));
        await storeAuthFailures(tenantId, failures, expiresAt);
        await countAuthFailures(tenantId, failures, expiresAt);
      }
      break;
  }
  return { stored: true, gatewayId };
}

/** Session ids are the gateway's; prefixed with the thing's gateway id so two gateways never collide. */
export const sessionKey = (gatewayId: number, sessionId: string) => `gw${gatewayId}-${sessionId}`;

async function ingestSession(tenantId: string, gatewayId: number, s: SessionInput, expiresAt: number) {
  if (s.kind === "failed") {
    await addSshCounters(tenantId, gatewayId, s.at, { failed: 1 }, expiresAt);
    return;
  }
  if (!s.session_id) return;
  const id = sessionKey(gatewayId, s.session_id);
  const existing = await getSession(tenantId, id);
  const record: SessionRecord = {
    session_id: id,
    device_session_id: s.session_id,
    gateway_id: gatewayId,
    username: s.username,
    client_ip: s.client_ip,
    client_hostname: s.client_hostname,
    started: existing?.started ?? s.started ?? s.at,
    ended: s.kind === "closed" ? s.at : undefined,
    command_count: s.command_count ?? existing?.command_count ?? 0,
    last_command: s.last_command,
    last_command_time: s.last_command_time,
    tty: s.tty,
    process_id: s.process_id,
    last_activity: s.at,
    termination_reason: s.termination_reason,
  };
  await putSession(tenantId, record, expiresAt);
  if (s.kind === "opened" && !existing) await addSshCounters(tenantId, gatewayId, s.at, { connections: 1 }, expiresAt);
}

// ---------------------------------------------------------------------------------------------
// Firewall reads

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

// ---------------------------------------------------------------------------------------------
// SSH reads

/** "HH:MM:SS" (hours may exceed 24). */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const hh = String(Math.floor(s / 3600)).padStart(2, "0");
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, "0");
  const ss = String(s % 60).padStart(2, "0");
  return `${hh}:${mm}:${ss}`;
}

export async function sshStatsToday(tenantId: string, now: Date, gatewayId?: number) {
  const s = await readSshStats(tenantId, now, gatewayId);
  return { last_connection: s.last, connections_today: s.connectionsToday, failed_attempts_today: s.failedToday };
}

export async function listSessions(tenantId: string, q: { activeOnly: boolean; gatewayId?: number; now: Date }) {
  const today = q.now.toISOString().slice(0, 10);
  const [active, todays] = await Promise.all([activeSessions(tenantId), sessionsStartedOn(tenantId, today)]);
  const mine = (s: SessionRecord) => q.gatewayId === undefined || s.gateway_id === q.gatewayId;
  const now = q.now.getTime();
  const ofToday = todays.filter(mine);
  return {
    active_sessions: active.filter(mine).map((s) => ({
      session_id: s.session_id,
      username: s.username,
      client_ip: s.client_ip,
      client_hostname: s.client_hostname ?? null,
      started: s.started,
      duration: formatDuration(now - Date.parse(s.started)),
      command_count: s.command_count,
      last_command: s.last_command ?? null,
      last_command_time: s.last_command_time ?? null,
      tty: s.tty ?? null,
      process_id: s.process_id ?? null,
      idle_time: formatDuration(now - Date.parse(s.last_command_time ?? s.last_activity ?? s.started)),
      gateway_id: s.gateway_id,
      ...(s.termination_requested ? { termination_requested: s.termination_requested } : {}),
    })),
    recent_sessions: q.activeOnly
      ? []
      : ofToday
          .filter((s) => s.ended)
          .map((s) => ({
            session_id: s.session_id,
            username: s.username,
            client_ip: s.client_ip,
            started: s.started,
            ended: s.ended ?? null,
            duration: formatDuration(Date.parse(s.ended ?? s.started) - Date.parse(s.started)),
            command_count: s.command_count,
            termination_reason: s.termination_reason ?? null,
            gateway_id: s.gateway_id,
          })),
    total_sessions_today: ofToday.length,
    unique_users_today: new Set(ofToday.map((s) => s.username)).size,
    unique_ips_today: new Set(ofToday.map((s) => s.client_ip)).size,
  };
}

export async function findSession(tenantId: string, sessionId: string) {
  return getSession(tenantId, sessionId);
}

export async function markTerminationRequested(tenantId: string, session: SessionRecord, request: TerminateRequest) {
  await setTerminationRequested(tenantId, session.session_id, {
    reason: request.reason,
    requested_at: request.requested_at,
    requested_by: request.requested_by,
    notify_user: request.notify_user,
  });
}

export async function countActiveSessions(tenantId: string) {
  return countActive(tenantId);
}
