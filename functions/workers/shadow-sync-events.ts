/**
 * Gateways' shadow reports → `sync_state` events on their tenant's events socket (`applied`,
 * `failed`, `drifted`, source "gateway"; shared/realtime/shadow-reports.ts). Invoked asynchronously
 * by the IoT topic rule on the named shadows' `update/documents` (infra/stacks/iot-stack.ts; locally
 * infra/local/local-shadow-rule.ts), which hands over the reported states before and after. A failed
 * post to one connection is logged and skipped by the fan-out; a failure to read connections throws,
 * so Lambda retries the event and then keeps it in the function's on-failure queue.
 */
import { log } from "#shared/kit/log.ts";
import { eventsOfShadowReport, fanOut, type ShadowReportEvent } from "#shared/realtime/fanout.ts";

export async function handler(event: ShadowReportEvent): Promise<{ events: number }> {
  const events = eventsOfShadowReport(event);
  if (events.length === 0) return { events: 0 };
  const report = await fanOut(events);
  log.info("gateway sync state fan-out", { topic: event.topic, ...report });
  return { events: events.length };
}
