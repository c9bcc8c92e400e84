/**
 * Table stream → WebSocket clients. Audit records, gateway events ingested from the edge, workflow
 * progress and notifier messages become realtime events (shared/realtime/messages.ts), posted to
 * the connections of their tenant through the `@connections` API. A failed post is logged and
 * skipped (never retried by failing the batch: a late security event is worse than a dropped one
 * for a client that is gone); a read failure throws and the stream retries the batch.
 */
import type { DynamoDBStreamEvent } from "aws-lambda";
import { log } from "#shared/kit/log.ts";
import { eventsOfStream, fanOut } from "#shared/realtime/fanout.ts";

export async function handler(event: DynamoDBStreamEvent): Promise<void> {
  const events = eventsOfStream(event);
  if (events.length === 0) return;
  const report = await fanOut(events);
  log.info("realtime fan-out", { ...report });
}
