/**
 * Lambda functions that no HTTP route invokes: IoT ingest, table-stream handlers, Step Functions
 * tasks. Like `routes.ts`, this is data; the CDK app builds one function per row (with the same
 * access grants as an API function) and `infra/build.ts` bundles each handler.
 * Keep this file free of CDK imports.
 */
import type { Access } from "#shared/kit/route.ts";

export type WorkerTrigger =
  /** Invoked by the IoT topic rule on `warden/+/+/events` (see infra/stacks/iot-stack.ts). */
  | "iot-events"
  /** Invoked by the single table's NEW_AND_OLD_IMAGES stream. */
  | "table-stream"
  /** Invoked by an EventBridge schedule (`schedule`). */
  | "schedule"
  /** Invoked by something that references it by id (a state machine task). */
  | "none";

export interface Worker {
  /** Stable id of the function in CDK and in `dist/functions/<id>/`. */
  id: string;
  /** Module under the repository root that exports `handler`, e.g. "functions/iot/ingest.ts". */
  handler: string;
  access: Access;
  trigger: WorkerTrigger;
  /**
   * "table-stream" only: a Lambda event filter pattern, so records the worker would skip never
   * invoke it (every API call writes a rate-limit counter, so an unfiltered stream is busy).
   */
  streamFilter?: Record<string, unknown>;
  /** "table-stream" only: several patterns, ORed (Lambda takes up to five per event source). */
  streamFilters?: Record<string, unknown>[];
  /** "schedule" only: an EventBridge schedule expression, e.g. "rate(1 minute)". */
  schedule?: string;
}

export const workers: Worker[] = [
  {
    // Audit records (table stream INSERTs of type "Audit") → the tenant's outgoing webhook.
    id: "workers-webhook-dispatch",
    handler: "functions/workers/webhook-dispatch.ts",
    access: { table: "RO", dataKey: "decrypt" },
    trigger: "table-stream",
    streamFilter: { eventName: ["INSERT"], dynamodb: { NewImage: { type: { S: ["Audit"] } } } },
  },
  {
    // Changes to state an evidence check reads → re-evaluate those checks for the tenant.
    id: "workers-grc-evidence-stream",
    handler: "functions/workers/grc-evidence-stream.ts",
    access: { table: "RW", iotShadowsRead: true },
    trigger: "table-stream",
    streamFilters: [
      {
        eventName: ["INSERT", "MODIFY"],
        dynamodb: {
          NewImage: { type: { S: ["User", "ApiKey", "Settings", "Gateway", "FleetConfigHead", "AuditArchive"] } },
        },
      },
      { eventName: ["REMOVE"], dynamodb: { OldImage: { type: { S: ["User", "ApiKey", "Gateway"] } } } },
    ],
  },
  {
    // What the stream cannot see (gateways' reported shadows, the audit chain): every minute.
    id: "workers-grc-evidence-schedule",
    handler: "functions/workers/grc-evidence-schedule.ts",
    access: { table: "RW", iotShadowsRead: true },
    trigger: "schedule",
    schedule: "rate(1 minute)",
  },
  { id: "iot-ingest", handler: "functions/iot/ingest.ts", access: { table: "RW" }, trigger: "iot-events" },
];
