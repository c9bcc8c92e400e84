/**
 * Events the gateways publish (firewall log lines, SSH sessions and login attempts, metrics), as
 * they are stored. `ingestFleetEvent` is the IoT rule's target (functions/iot/ingest.ts): it
 * receives one event already validated against the edge contract, checks that the thing belongs
 * to the tenant whose topic it published on, and stores what the routes read, with a TTL.
 */
import type { EdgeEvent } from "#edge/contract.ts";
import { addFirewallCounters } from "#shared/fleet/db/firewall-counters.ts";
import { type FirewallLine, storeFirewallLines } from "#shared/fleet/db/firewall-log.ts";
import { addRuleHits } from "#shared/fleet/db/firewall-rule-hits.ts";
import { storeMetrics } from "#shared/fleet/db/gateway-metrics.ts";
import { getGateway, markSeen } from "#shared/fleet/db/gateways.ts";
import { type AuthFailureRecord, storeAuthFailures } from "#shared/fleet/db/ssh-auth-failures.ts";
import { addSshCounters, countAuthFailures } from "#shared/fleet/db/ssh-counters.ts";
import { getSession, putSession, type SessionRecord } from "#shared/fleet/db/ssh-sessions.ts";
import { THING_PREFIX } from "#shared/iot/policy.ts";

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
// From the edge contract

/** An ISO timestamp, normalized; undefined when the gateway sent something that is not a time. */
function isoTime(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const t = Date.parse(value);
  return Number.isFinite(t) ? new Date(t).toISOString() : undefined;
}

/** The edge's detectors tag their log lines by prefix; those count as DoS or port-scan blocks. */
function categoryOf(prefix: string, reason: string | null): "dos" | "port_scan" | undefined {
  const text = `${prefix} ${reason ?? ""}`;
  if (/port[_ -]?scan/i.test(text)) return "port_scan";
  if (/syn[_ -]?flood|\bdos\b|rate[_ -]?limit/i.test(text)) return "dos";
  return undefined;
}

/** The contract's event → what the domain stores. Undefined (with a reason) when nothing usable is left. */
export function toFleetEvent(e: EdgeEvent): FleetEvent | { invalid: string } {
  switch (e.type) {
    case "firewall_log": {
      const lines = e.lines.flatMap((l) => {
        const timestamp = isoTime(l.timestamp);
        if (!timestamp) return [];
        return [
          {
            timestamp,
            action: l.action,
            protocol: l.protocol.toUpperCase(),
            source_ip: l.source_ip,
            source_port: l.source_port ?? undefined,
            destination_ip: l.destination_ip,
            destination_port: l.destination_port ?? undefined,
            interface: l.interface || undefined,
            rule_id: l.rule_id ?? undefined,
            rule_name: l.rule_name ?? undefined,
            bytes: l.bytes ?? undefined,
            reason: l.reason ?? undefined,
            category: l.action === "ACCEPT" ? undefined : categoryOf(l.prefix, l.reason),
          },
        ];
      });
      if (lines.length === 0) return { invalid: "no line has a valid timestamp" };
      return { kind: "firewall_log", lines };
    }
    case "ssh_session": {
      const started = isoTime(e.started);
      const at = e.event === "started" ? started : (isoTime(e.ended) ?? isoTime(e.timestamp));
      if (!started || !at) return { invalid: "started/ended/timestamp is not a time" };
      return {
        kind: "ssh_session",
        session: {
          kind: e.event === "started" ? "opened" : "closed",
          at,
          started,
          session_id: e.session_id,
          username: e.username,
          client_ip: e.client_ip,
          tty: e.tty,
          process_id: e.process_id,
          termination_reason: e.termination_reason,
        },
      };
    }
    case "ssh_auth_failure": {
      const failures = e.failures.flatMap((f) => {
        const timestamp = isoTime(f.timestamp);
        if (!timestamp) return [];
        return [
          {
            timestamp,
            username: f.username,
            client_ip: f.client_ip,
            ...(f.client_port !== undefined ? { client_port: f.client_port } : {}),
            reason: f.reason,
          },
        ];
      });
      if (failures.length === 0) return { invalid: "no failure has a valid timestamp" };
      return { kind: "ssh_auth_failure", failures };
    }
    case "metrics": {
      const at = isoTime(e.timestamp);
      if (!at) return { invalid: "timestamp is not a time" };
      return { kind: "metrics", at, sample: { cpu: e.cpu, memory: e.memory, uptime_seconds: e.uptime_seconds } };
    }
  }
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
