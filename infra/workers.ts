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
  { id: "iot-ingest", handler: "functions/iot/ingest.ts", access: { table: "RW" }, trigger: "iot-events" },
  {
    // Monthly usage counters (table stream INSERT/MODIFY of type "UsageMonth") → Stripe Billing Meters.
    id: "workers-billing-meters",
    handler: "functions/workers/billing-meters.ts",
    access: { table: "RO" },
    trigger: "table-stream",
    streamFilter: { eventName: ["INSERT", "MODIFY"], dynamodb: { NewImage: { type: { S: ["UsageMonth"] } } } },
  },
];
