/** The stream worker's entry to the area: a batch's realtime events, and their fan-out. */
import type { DynamoDBStreamEvent } from "aws-lambda";
import { eventsOfRecord, type RealtimeEvent } from "./messages.ts";

export { type FanOutReport, fanOut } from "./connections.ts";

export const eventsOfStream = (event: DynamoDBStreamEvent): RealtimeEvent[] => event.Records.flatMap(eventsOfRecord);

/** The IoT worker's entry: a gateway's shadow report (`update/documents`) as `sync_state` events. */
export {
  eventsOfShadowReport,
  SHADOW_DOCUMENTS_TOPIC_FILTER,
  type ShadowReportEvent,
  SYNC_REPORTED_FIELDS,
  syncReportChanged,
} from "./shadow-reports.ts";
