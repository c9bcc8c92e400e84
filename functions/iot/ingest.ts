/**
 * IoT ingest: the target of the topic rule on `warden/+/+/events`. Not an HTTP route. The rule
 *
 *   SELECT encode(*, 'base64') AS payload, topic() AS topic FROM 'warden/+/+/events'
 *
 * hands over the gateway's event (edge/contract.ts `EdgeEventSchema`) as an opaque payload beside
 * the topic. Tenant and thing come from the topic alone, which is authoritative: each gateway's IoT
 * policy confines it to its own topic. The payload is kept opaque on purpose — merged into one
 * object (`SELECT *, topic(2) AS tenant`), a device could put its own `tenant` key in it and claim
 * another tenant's gateway.
 *
 * Invalid messages are dropped with a log line and never throw. Storage errors do throw, so the
 * asynchronous invocation is retried (and lands in the function's failure destination).
 */
import * as z from "zod/mini";
import { describeIssues, type EdgeEvent, EdgeEventSchema } from "#edge/contract.ts";
import { type FleetEvent, ingestFleetEvent } from "#shared/fleet/gateway-events.ts";
import { log } from "#shared/kit/log.ts";

/** What the topic rule delivers: the device's payload, base64, and the topic it was published on. */
const RuleEvent = z.object({ payload: z.string(), topic: z.string() });

const TOPIC = /^warden\/([^/]+)\/([^/]+)\/events$/;

/** Tenant and thing of the event, from the topic only. */
export function originOf(event: unknown): { tenant: string; thing: string } | undefined {
  const o = RuleEvent.safeParse(event);
  const m = o.success ? TOPIC.exec(o.data.topic) : null;
  return m?.[1] && m[2] ? { tenant: m[1], thing: m[2] } : undefined;
}

/** The device's own message, decoded; undefined when it is not JSON. */
function payloadOf(event: unknown): unknown {
  const o = RuleEvent.safeParse(event);
  if (!o.success) return undefined;
  try {
    return JSON.parse(Buffer.from(o.data.payload, "base64").toString("utf8"));
  } catch {
    return undefined;
  }
}

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

export type IngestOutcome = { stored: true; gatewayId: number } | { stored: false; reason: string };

export async function handler(event: unknown): Promise<IngestOutcome> {
  const origin = originOf(event);
  if (!origin) {
    log.warn("iot ingest: dropped an event without tenant and thing", {});
    return { stored: false, reason: "no tenant/thing" };
  }
  const parsed = EdgeEventSchema.safeParse(payloadOf(event));
  if (!parsed.success) {
    const reason = describeIssues(parsed.error);
    log.warn("iot ingest: dropped an invalid event", { tenant: origin.tenant, thing: origin.thing, reason });
    return { stored: false, reason };
  }
  const mapped = toFleetEvent(parsed.data);
  if ("invalid" in mapped) {
    log.warn("iot ingest: dropped an unusable event", {
      tenant: origin.tenant,
      thing: origin.thing,
      reason: mapped.invalid,
    });
    return { stored: false, reason: mapped.invalid };
  }
  const result = await ingestFleetEvent(origin.tenant, origin.thing, mapped);
  if (!result.stored) {
    log.warn("iot ingest: dropped an event from an unknown gateway", {
      tenant: origin.tenant,
      thing: origin.thing,
      reason: result.reason,
    });
  }
  return result;
}
