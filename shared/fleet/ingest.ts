/**
 * Events the gateways publish (firewall log lines, SSH sessions and failed SSH logins, metrics),
 * stored for the routes that read them. The IoT rule's target (functions/iot/ingest.ts) hands over
 * one event already validated against the edge contract: `toFleetEvent` turns it into the domain's
 * terms, and `ingestFleetEvent` checks that the thing belongs to the tenant whose topic it
 * published on, then stores the event with a TTL from the tenant's retention.
 */
import type { EdgeEvent } from "#edge/contract.ts";
import { logRetentionDays } from "#shared/billing/limits.ts";
import { recordIngestedEvents } from "#shared/billing/usage.ts";
import { addFirewallCounters } from "#shared/fleet/db/firewall-counters.ts";
import { type FirewallLogLine, putFirewallLogLines } from "#shared/fleet/db/firewall-log.ts";
import { addRuleHits } from "#shared/fleet/db/firewall-rule-hits.ts";
import { gatewayMetricsSince, putGatewayMetrics } from "#shared/fleet/db/gateway-metrics.ts";
import { getGateway, markSeen } from "#shared/fleet/db/gateways.ts";
import { putSshAuthFailures, type SshAuthFailure } from "#shared/fleet/db/ssh-auth-failures.ts";
import { addSshAuthFailureCounts, addSshCounters } from "#shared/fleet/db/ssh-counters.ts";
import { getSshSession, putSshSession, type SshSession } from "#shared/fleet/db/ssh-sessions.ts";
import { scoreIngestedMetrics } from "#shared/insights/scoring.ts";
import { LEGACY_THING_PREFIX, THING_PREFIX, THING_SEPARATOR } from "#shared/iot/policy.ts";

/** The metrics samples the gateways reported since `since` (the insights area trains on them). */
export { gatewayMetricsSince };

/** How long reported events are kept: the tenant's plan's `log_retention_days`. */
export async function retentionDays(tenantId: string): Promise<number> {
  return logRetentionDays(tenantId);
}

async function expiryFor(tenantId: string, now: Date): Promise<number> {
  return Math.floor(now.getTime() / 1000) + (await retentionDays(tenantId)) * 86_400;
}

/**
 * `warden_<tenant>_<id>` → id, only if the thing name is this tenant's. Gateways registered before
 * that naming keep `warden-<tenant>-<id>`, also accepted: the tenant is known (the topic's, which
 * the gateway policy confines to the thing's `tenant` attribute) and the id is all digits, so
 * `warden-acme-corp-7` never reads as tenant `acme`'s gateway (its rest, `corp-7`, is no id).
 */
export function gatewayIdOfThing(tenantId: string, thingName: string): number | undefined {
  for (const prefix of [`${THING_PREFIX}${tenantId}${THING_SEPARATOR}`, `${LEGACY_THING_PREFIX}${tenantId}-`]) {
    if (!thingName.startsWith(prefix)) continue;
    const rest = thingName.slice(prefix.length);
    return /^[1-9]\d{0,9}$/.test(rest) ? Number(rest) : undefined;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// What a gateway reports, in the domain's terms

export type SshSessionEventKind = "opened" | "activity" | "closed" | "failed";

/** One report about an SSH session (or a failed login without one). */
export interface SshSessionEvent {
  kind: SshSessionEventKind;
  at: string;
  /** When the SSH session began, as the gateway reports it. */
  started?: string;
  /** The gateway's own id of the SSH session. */
  deviceSessionId?: string;
  username: string;
  clientIp: string;
  clientHostname?: string;
  tty?: string;
  processId?: number;
  commandCount?: number;
  lastCommand?: string;
  lastCommandTime?: string;
  terminationReason?: string;
}

export type FleetEvent =
  | { kind: "firewall_log"; lines: Omit<FirewallLogLine, "gatewayId">[] }
  | { kind: "ssh_session"; sshSession: SshSessionEvent }
  | { kind: "ssh_auth_failure"; failures: Omit<SshAuthFailure, "gatewayId">[] }
  | { kind: "metrics"; at: string; sample: Record<string, unknown> };

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

/** The contract's event → what the domain stores, or why nothing usable is left. */
export function toFleetEvent(e: EdgeEvent): FleetEvent | { invalid: string } {
  if (!isFleetEvent(e)) return { invalid: `'${e.type}' events belong to the certificates area, not the fleet` };
  switch (e.type) {
    case "firewall_log": {
      const lines = e.lines.flatMap((l): Omit<FirewallLogLine, "gatewayId">[] => {
        const timestamp = isoTime(l.timestamp);
        if (!timestamp) return [];
        return [
          {
            timestamp,
            action: l.action,
            protocol: l.protocol.toUpperCase(),
            sourceIp: l.source_ip,
            sourcePort: l.source_port ?? undefined,
            destinationIp: l.destination_ip,
            destinationPort: l.destination_port ?? undefined,
            interface: l.interface || undefined,
            ruleId: l.rule_id ?? undefined,
            ruleName: l.rule_name ?? undefined,
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
        sshSession: {
          kind: e.event === "started" ? "opened" : "closed",
          at,
          started,
          deviceSessionId: e.session_id,
          username: e.username,
          clientIp: e.client_ip,
          tty: e.tty,
          processId: e.process_id,
          terminationReason: e.termination_reason,
        },
      };
    }
    case "ssh_auth_failure": {
      const failures = e.failures.flatMap((f): Omit<SshAuthFailure, "gatewayId">[] => {
        const timestamp = isoTime(f.timestamp);
        if (!timestamp) return [];
        return [
          {
            timestamp,
            username: f.username,
            clientIp: f.client_ip,
            ...(f.client_port !== undefined ? { clientPort: f.client_port } : {}),
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
      return {
        kind: "metrics",
        at,
        sample: {
          cpu: e.cpu,
          memory: e.memory,
          uptime_seconds: e.uptime_seconds,
          ...(e.network ? { network: e.network } : {}),
          ...(e.disk ? { disk: e.disk } : {}),
          ...(e.events ? { events: e.events } : {}),
        },
      };
    }
  }
}

/** The certificate events (inventory, CSRs, challenges, installations, key requests) are the certificates area's. */
type FleetEdgeEvent = Extract<EdgeEvent, { type: "firewall_log" | "ssh_session" | "ssh_auth_failure" | "metrics" }>;
const FLEET_EVENT_TYPES = new Set<string>(["firewall_log", "ssh_session", "ssh_auth_failure", "metrics"]);
export const isFleetEvent = (e: EdgeEvent): e is FleetEdgeEvent => FLEET_EVENT_TYPES.has(e.type);

// ---------------------------------------------------------------------------------------------
// Ingest

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
        const lines = event.lines.map((l) => ({ ...l, gatewayId }));
        await putFirewallLogLines(tenantId, lines, expiresAt);
        await addFirewallCounters(tenantId, lines, expiresAt);
        await addRuleHits(tenantId, lines);
      }
      break;
    case "metrics":
      await putGatewayMetrics(tenantId, gatewayId, event.at, event.sample, expiresAt);
      // Scored by the tenant's active anomaly model, if any (never fails the ingest).
      await scoreIngestedMetrics(tenantId, gatewayId, event.at, event.sample, expiresAt);
      break;
    case "ssh_session":
      await ingestSshSession(tenantId, gatewayId, event.sshSession, expiresAt);
      break;
    case "ssh_auth_failure":
      if (event.failures.length > 0) {
        const failures = event.failures.map((f) => ({ ...f, gatewayId }));
        await putSshAuthFailures(tenantId, failures, expiresAt);
        await addSshAuthFailureCounts(tenantId, failures, expiresAt);
      }
      break;
  }
  // The plan's `logs_this_month`: one ingested gateway event per line, session change, failure or sample.
  const stored =
    event.kind === "firewall_log" ? event.lines.length : event.kind === "ssh_auth_failure" ? event.failures.length : 1;
  if (stored > 0) await recordIngestedEvents(tenantId, stored, now);
  return { stored: true, gatewayId };
}

/** SSH session ids are the gateway's; prefixed with the thing's gateway id so two gateways never collide. */
export const sshSessionIdOf = (gatewayId: number, deviceSessionId: string) => `gw${gatewayId}-${deviceSessionId}`;

async function ingestSshSession(tenantId: string, gatewayId: number, s: SshSessionEvent, expiresAt: number) {
  if (s.kind === "failed") {
    await addSshCounters(tenantId, gatewayId, s.at, { failed: 1 }, expiresAt);
    return;
  }
  if (!s.deviceSessionId) return;
  const id = sshSessionIdOf(gatewayId, s.deviceSessionId);
  const existing = await getSshSession(tenantId, id);
  const sshSession: SshSession = {
    id,
    deviceSessionId: s.deviceSessionId,
    gatewayId,
    username: s.username,
    clientIp: s.clientIp,
    clientHostname: s.clientHostname,
    started: existing?.started ?? s.started ?? s.at,
    ended: s.kind === "closed" ? s.at : undefined,
    commandCount: s.commandCount ?? existing?.commandCount ?? 0,
    lastCommand: s.lastCommand,
    lastCommandTime: s.lastCommandTime,
    tty: s.tty,
    processId: s.processId,
    lastActivity: s.at,
    terminationReason: s.terminationReason,
  };
  await putSshSession(tenantId, sshSession, expiresAt);
  if (s.kind === "opened" && !existing) await addSshCounters(tenantId, gatewayId, s.at, { connections: 1 }, expiresAt);
}
