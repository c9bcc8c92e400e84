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
 * asynchronous invocation is retried (and lands in the function's failure destination). What an
 * event means and how it is stored is the fleet's (shared/fleet/ingest.ts), or for certificate events
 * the certificates area's (shared/certificates/ingest.ts).
 */
import * as z from "zod/mini";
import { describeIssues, EdgeEventSchema } from "#edge/contract.ts";
import { ingestCertificateEvent } from "#shared/certificates/ingest.ts";
import { type IngestResult, ingestFleetEvent, isFleetEvent, toFleetEvent } from "#shared/fleet/ingest.ts";
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

export async function handler(event: unknown): Promise<IngestResult> {
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
  if (!isFleetEvent(parsed.data)) {
    // Certificate reports and the answers renewals wait for are the certificates area's.
    const result = await ingestCertificateEvent(origin.tenant, origin.thing, parsed.data);
    if (!result.stored) log.warn("iot ingest: certificate event not used", { ...origin, reason: result.reason });
    return result;
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
