/**
 * What a table-stream record means to the sockets: audit records, gateway events ingested from the
 * edge, workflow progress and notifier messages become realtime events, each for one tenant (the
 * tenant of the item's partition key: nothing else decides who receives it).
 *
 * The events socket's server message is `{type, timestamp, severity, tenant, gateway_id?, data}`;
 * the logs socket's is the same with `level` and a log `type` (firewall, ssh, audit); the
 * notifications socket's carries the message (without the body of one-time codes).
 */
import type { DynamoDBRecord } from "aws-lambda";
import { tenantOfPartitionKey } from "./db/connections.ts";
import { streamImage } from "./db/stream-images.ts";
import type { StreamName } from "./streams.ts";

export type Severity = "info" | "warning" | "high" | "critical";

/** The event types of the events socket (what `subscribe` `types` names). */
export const EVENT_TYPES = [
  "login_failure",
  "account_lockout",
  "brute_force_block",
  "firewall_block",
  "ssh_session",
  "ssh_login_failure",
  "configuration_change",
  "scan_progress",
  "scan_completed",
  "certificate_renewal",
  "sync_state",
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** The log types of the logs socket. */
export const LOG_TYPES = ["firewall", "ssh", "audit"] as const;
/** Log levels, lowest first (`subscribe` `level` keeps that level and above). */
export const LOG_LEVELS = ["debug", "info", "warning", "error", "critical"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface RealtimeEvent {
  tenantId: string;
  stream: StreamName;
  type: string;
  severity: Severity;
  timestamp: string;
  gatewayId?: number;
  /** Logs socket only. */
  level?: LogLevel;
  /** Notifications socket only: the address the message went to. */
  recipient?: string;
  data: Record<string, unknown>;
}

/** The JSON a socket receives for an event. */
export function serverMessage(e: RealtimeEvent): Record<string, unknown> {
  return {
    type: e.type,
    timestamp: e.timestamp,
    severity: e.severity,
    tenant: e.tenantId,
    ...(e.gatewayId !== undefined ? { gateway_id: e.gatewayId } : {}),
    ...(e.level ? { level: e.level } : {}),
    data: e.data,
  };
}

type Image = Record<string, unknown>;

const image = (i: unknown): Image | undefined => streamImage(i);

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === "number" ? v : undefined);

/** Audit `event_type` → the events socket's type; absent: not an event of that socket (sign-ins, reads). */
function auditEventType(eventType: string, status: string): EventType | undefined {
  if (eventType === "login_failed") return "login_failure";
  if (eventType === "account_locked") return "account_lockout";
  if (eventType === "brute_force_ip_blocked" || eventType === "credential_stuffing") return "brute_force_block";
  if (eventType === "scan_completed") return "scan_completed";
  if (/certificate.*renew|renewal/.test(eventType)) return "certificate_renewal";
  // Sign-ins and their steps, refusals, and anything that failed changed nothing.
  if (status !== "success") return undefined;
  if (/^(login|logout|two_factor|token|access_denied|tenant_created)/.test(eventType)) return undefined;
  return "configuration_change";
}

const auditLevel = (severity: string, status: string): LogLevel =>
  severity === "critical"
    ? "critical"
    : severity === "high"
      ? "error"
      : severity === "warning" || status === "failed"
        ? "warning"
        : "info";

function fromAudit(tenantId: string, a: Image): RealtimeEvent[] {
  const eventType = str(a.event_type) ?? "";
  const status = str(a.status) ?? "success";
  const severity = (str(a.severity) ?? "info") as Severity;
  const timestamp = str(a.timestamp) ?? new Date().toISOString();
  const details = (a.details ?? {}) as Record<string, unknown>;
  const gatewayId = num(details.gateway_id);
  const data = {
    id: a.id,
    event: a.event,
    event_type: eventType,
    user: a.user,
    resource: a.resource,
    ip_address: a.ip_address ?? null,
    status,
    details,
  };
  const out: RealtimeEvent[] = [
    {
      tenantId,
      stream: "logs",
      type: "audit",
      severity,
      level: auditLevel(severity, status),
      timestamp,
      ...(gatewayId !== undefined ? { gatewayId } : {}),
      data,
    },
  ];
  const type = auditEventType(eventType, status);
  if (type)
    out.push({
      tenantId,
      stream: "events",
      type,
      severity,
      timestamp,
      ...(gatewayId !== undefined ? { gatewayId } : {}),
      data,
    });
  return out;
}

function fromFirewallLine(tenantId: string, l: Image): RealtimeEvent[] {
  const gatewayId = num(l.gateway_id);
  const action = str(l.action) ?? "LOG";
  const blocked = action === "DROP" || action === "REJECT";
  const { PK: _pk, SK: _sk, type: _t, expiresAt: _e, ...line } = l;
  const base = { tenantId, timestamp: str(l.timestamp) ?? new Date().toISOString(), gatewayId, data: line };
  const out: RealtimeEvent[] = [
    {
      ...base,
      stream: "logs",
      type: "firewall",
      severity: blocked ? "warning" : "info",
      level: blocked ? "warning" : "info",
    },
  ];
  if (blocked)
    out.push({ ...base, stream: "events", type: "firewall_block", severity: l.category ? "high" : "warning" });
  return out;
}

function fromSshSession(tenantId: string, now: Image, before: Image | undefined): RealtimeEvent[] {
  const started = !before;
  const ended = !!now.ended && !before?.ended;
  if (!started && !ended) return [];
  const action = ended ? "ended" : "started";
  const data = {
    action,
    session_id: now.session_id,
    username: now.username,
    client_ip: now.client_ip,
    started: now.started,
    ...(ended ? { ended: now.ended, termination_reason: now.termination_reason ?? null } : {}),
  };
  const base = {
    tenantId,
    timestamp: str(ended ? now.ended : now.started) ?? new Date().toISOString(),
    gatewayId: num(now.gateway_id),
    data,
  };
  return [
    { ...base, stream: "logs", type: "ssh", severity: "info", level: "info" },
    { ...base, stream: "events", type: "ssh_session", severity: "info" },
  ];
}

function fromSshFailure(tenantId: string, f: Image): RealtimeEvent[] {
  const base = {
    tenantId,
    timestamp: str(f.timestamp) ?? new Date().toISOString(),
    gatewayId: num(f.gateway_id),
    data: { username: f.username, client_ip: f.client_ip, reason: f.reason },
  };
  return [
    { ...base, stream: "logs", type: "ssh", severity: "warning", level: "warning" },
    { ...base, stream: "events", type: "ssh_login_failure", severity: "warning" },
  ];
}

/** A workflow execution's step or status changed: scan progress, a renewal's progress. */
function fromWorkflow(tenantId: string, now: Image, before: Image | undefined): RealtimeEvent[] {
  if (before && before.step === now.step && before.status === now.status) return [];
  const workflow = str(now.workflow) ?? "";
  const type: EventType | undefined = /scan/.test(workflow)
    ? now.status === "running"
      ? "scan_progress"
      : "scan_completed"
    : /certificate|renew/.test(workflow)
      ? "certificate_renewal"
      : undefined;
  if (!type) return [];
  const failed = now.status === "failed";
  const stepsDone = Array.isArray(now.stepsDone) ? now.stepsDone : [];
  return [
    {
      tenantId,
      stream: "events",
      type,
      severity: failed ? "high" : "info",
      timestamp: str(now.finishedAt) ?? new Date().toISOString(),
      data: {
        execution_id: now.executionId,
        workflow,
        subject: now.subject,
        status: now.status,
        step: now.step ?? null,
        steps_done: stepsDone,
        error: now.error ?? null,
      },
    },
  ];
}

/**
 * A gateway's sync state for one shadow changed, as the fleet-sync fan-out recorded it
 * (shared/fleet/db/sync-outcomes.ts, one item per gateway and shadow): `written` → the gateway has
 * a new configuration to apply (`pending`), `failed` → the write did not reach it. `superseded` is
 * no change of this gateway's state (the newer change's own outcome follows). One event per change:
 * a record whose outcome and version equal the previous image's (a retried attempt) carries none.
 */
function fromSyncOutcome(tenantId: string, now: Image, before: Image | undefined): RealtimeEvent[] {
  const outcome = str(now.outcome);
  if (outcome !== "written" && outcome !== "failed") return [];
  if (before && before.outcome === now.outcome && before.configVersion === now.configVersion) return [];
  const failed = outcome === "failed";
  return [
    {
      tenantId,
      stream: "events",
      type: "sync_state",
      severity: failed ? "high" : "info",
      timestamp: str(now.at) ?? new Date().toISOString(),
      gatewayId: num(now.gatewayId),
      data: {
        area: now.area,
        status: failed ? "failed" : "pending",
        config_version: now.configVersion,
        outcome,
        error: now.error ?? null,
        execution_id: now.executionId,
        source: "fan-out",
      },
    },
  ];
}

/** Notifier kinds whose body is a secret (a one-time code): the socket says a message came, not what it says. */
const SECRET_BODIES = new Set(["two_factor_code"]);

function fromOutbox(tenantId: string, m: Image): RealtimeEvent[] {
  const kind = str(m.kind) ?? "notification";
  return [
    {
      tenantId,
      stream: "notifications",
      type: "notification",
      severity: kind === "system_locked" ? "critical" : "info",
      timestamp: str(m.createdAt) ?? new Date().toISOString(),
      recipient: str(m.to),
      data: {
        kind,
        channel: m.channel,
        subject: m.subject,
        body: SECRET_BODIES.has(kind) ? null : m.body,
        created_at: m.createdAt,
      },
    },
  ];
}

/** The realtime events one stream record carries (none for most items). */
export function eventsOfRecord(r: DynamoDBRecord): RealtimeEvent[] {
  if (r.eventName !== "INSERT" && r.eventName !== "MODIFY") return [];
  const now = image(r.dynamodb?.NewImage);
  if (!now) return [];
  const before = r.eventName === "MODIFY" ? image(r.dynamodb?.OldImage) : undefined;
  const tenantId = tenantOfPartitionKey(now.PK);
  if (!tenantId) return [];
  const inserted = r.eventName === "INSERT";
  switch (now.type) {
    case "Audit":
      return inserted ? fromAudit(tenantId, now) : [];
    case "FirewallLine":
      return inserted ? fromFirewallLine(tenantId, now) : [];
    case "SshAuthFailure":
      return inserted ? fromSshFailure(tenantId, now) : [];
    case "SshSession":
      return fromSshSession(tenantId, now, before);
    case "WorkflowExecution":
      return fromWorkflow(tenantId, now, before);
    case "OutboxMessage":
      return inserted ? fromOutbox(tenantId, now) : [];
    case "FleetSyncOutcome":
      return fromSyncOutcome(tenantId, now, before);
    default:
      return [];
  }
}

/** The item types the realtime worker reads, for its stream filter (infra/workers.ts). */
export const REALTIME_ITEM_TYPES = [
  "Audit",
  "FirewallLine",
  "SshAuthFailure",
  "SshSession",
  "WorkflowExecution",
  "OutboxMessage",
  "FleetSyncOutcome",
];
