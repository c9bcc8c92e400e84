/**
 * Lambda functions that no HTTP route invokes: IoT ingest, table-stream handlers, Step Functions
 * tasks. Like `routes.ts`, this is data; the CDK app builds one function per row (with the same
 * access grants as an API function) and `infra/build.ts` bundles each handler.
 * Keep this file free of CDK imports.
 */
import type { Access } from "#shared/kit/route.ts";
import { taskFunctionId, WORKFLOWS, workflowTasks } from "#shared/workflows/definitions.ts";

export type WorkerTrigger =
  /** Invoked by the IoT topic rule on `warden/+/+/events` (see infra/stacks/iot-stack.ts). */
  | "iot-events"
  /**
   * Invoked by the IoT topic rule on the named shadows' `$aws/things/+/shadow/name/+/update/documents`
   * when a gateway's reported sync state changed (see infra/stacks/iot-stack.ts).
   */
  | "iot-shadow-documents"
  /** Invoked by the single table's NEW_AND_OLD_IMAGES stream. */
  | "table-stream"
  /** Invoked by an EventBridge schedule (`schedule`). */
  | "schedule"
  /** Invoked by something that references it by id (a state machine task). */
  | "none"
  /**
   * Invoked by CloudFormation at deploy time, as a custom resource's handler; built into the stack
   * that owns what it reads (infra/constructs/token-public-keys.ts), not into the workers stack.
   */
  | "custom-resource";

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
  /**
   * "none" only: invoked asynchronously by something outside this list (EventBridge Scheduler), so
   * it gets retries and an on-failure queue like the "schedule" and "iot-events" workers.
   */
  invokedAsync?: true;
}

/**
 * What each workflow task may touch. Renewal tasks write the gateway's `certificates` shadow; the
 * ACME steps open and seal the tenant's ACME account key.
 */
const TASK_ACCESS: Record<string, Access> = {
  "functions/workflows/certificate-renewal/place-order.ts": { table: "RW", dataKey: "both" },
  "functions/workflows/certificate-renewal/finalize-order.ts": { table: "RW", iotShadows: true, dataKey: "both" },
  // Cloud scans open the scan's sealed credentials (the collectors call the customer's AWS with
  // them, or assume the customer's role); Notify opens the webhook secret; none touches IoT.
  // Validate and Collect call the customer's AWS, so they may assume the customer's role (role_arn,
  // with its external id); Evaluate only reads the collected inventory.
  // Scans of the platform's own account (-c platformScanTenants) read it with these two functions'
  // own roles; Evaluate re-checks the tenant's right but calls no AWS API.
  "functions/workflows/cloud-scan/validate.ts": {
    table: "RW",
    dataKey: "decrypt",
    assumeCustomerRoles: true,
    platformAccountScan: "collect",
  },
  "functions/workflows/cloud-scan/collect.ts": {
    table: "RW",
    dataKey: "decrypt",
    assumeCustomerRoles: true,
    platformAccountScan: "collect",
  },
  "functions/workflows/cloud-scan/evaluate.ts": { table: "RW", dataKey: "decrypt", platformAccountScan: "gate" },
  "functions/workflows/cloud-scan/notify.ts": { table: "RW", dataKey: "decrypt" },
  "functions/workflows/cloud-scan/finish.ts": { table: "RW" },
  // Gateway scan steps read what the gateways report (shadows) and never write a shadow.
  "functions/workflows/gateway-scan/authentication.ts": { table: "RW" },
  "functions/workflows/gateway-scan/firewall.ts": { table: "RW", iotShadowsRead: true },
  "functions/workflows/gateway-scan/certificates.ts": { table: "RW" },
  "functions/workflows/gateway-scan/ssh.ts": { table: "RW", iotShadowsRead: true },
  "functions/workflows/gateway-scan/network.ts": { table: "RW", iotShadowsRead: true },
  "functions/workflows/gateway-scan/finish.ts": { table: "RW" },
  // Insights training reads the uploaded CSV and writes the trained model (blobs); no shadow.
  "functions/workflows/insights-training/fit.ts": { table: "RW", blobs: "RW" },
  "functions/workflows/insights-training/activate.ts": { table: "RW" },
  "functions/workflows/insights-training/finish.ts": { table: "RW" },
  // The settings fan-out writes shadows (ordered, conditional) and records each gateway's outcome.
  // Plan lists the tenant's gateways (and records the step's progress); it touches no shadow.
  "functions/workflows/fleet-sync/plan.ts": { table: "RW" },
  "functions/workflows/fleet-sync/write.ts": { table: "RW", iotShadows: true },
  "functions/workflows/fleet-sync/finish.ts": { table: "RW" },
  // A cloud scan's findings as GRC evidence; re-evaluating a control weighs all its bound checks,
  // some of which read the gateways' reported shadows (as the evidence stream worker does).
  "functions/workflows/cloud-scan/evidence.ts": { table: "RW", iotShadowsRead: true },
};
/** The scheduled gateway scan: the target of every tenant's EventBridge Scheduler schedule. */
export const SCAN_SCHEDULE_TARGET_ID = "workflows-gateway-scan-scheduled";

const DEFAULT_TASK_ACCESS: Access = { table: "RW", iotShadows: true };

/** Every Step Functions task of `shared/workflows/definitions.ts`, one function each (trigger "none"). */
function workflowWorkers(): Worker[] {
  return WORKFLOWS.flatMap((def) =>
    workflowTasks(def).map((task) => ({
      id: taskFunctionId(task),
      handler: task,
      access: TASK_ACCESS[task] ?? DEFAULT_TASK_ACCESS,
      trigger: "none" as const,
    })),
  );
}

/**
 * Deploy time: reads the token-signing keys' public halves from KMS once, for every function that
 * verifies tokens or serves the JWKS (infra/constructs/token-public-keys.ts, which deploys it in the
 * data stack whenever a function needs the keys). Its one grant, kms:GetPublicKey on the current and
 * previous signing keys, is that construct's (FunctionNeeds.tokenKeyLookup), not a row's: no function
 * built from a row may hold it.
 */
export const tokenPublicKeysWorker: Worker = {
  id: "token-public-keys",
  handler: "functions/workers/token-public-keys.ts",
  access: {},
  trigger: "custom-resource",
};

export const workers: Worker[] = [
  {
    // Audit records (table stream INSERTs of type "Audit") → the tenant's outgoing webhook.
    id: "workers-webhook-dispatch",
    handler: "functions/workers/webhook-dispatch.ts",
    access: { table: "RO", dataKey: "decrypt" },
    trigger: "table-stream",
    streamFilter: { eventName: ["INSERT"], dynamodb: { NewImage: { type: { S: ["Audit"] } } } },
  },
  // Gateways' certificate reports complete the renewal steps that wait for them (task tokens); a
  // gateway's key request is answered with its sealed key on its own keys topic. Metrics samples are
  // scored by the tenant's active anomaly model, read from the blob store (blobs RO).
  {
    id: "iot-ingest",
    handler: "functions/iot/ingest.ts",
    access: {
      table: "RW",
      iotShadows: true,
      iotPublish: true,
      dataKey: "decrypt",
      workflows: "complete",
      blobs: "RO",
    },
    trigger: "iot-events",
  },
  ...workflowWorkers(),
  // The daily auto-renew job (the workflows stack schedules it): starts renewals, sends expiry notices.
  {
    id: "workflows-certificate-renewal-auto-renew",
    handler: "functions/workflows/certificate-renewal/auto-renew.ts",
    access: { table: "RW", workflows: "start", notify: true },
    trigger: "none",
    invokedAsync: true,
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
  {
    // Monthly usage counters (table stream INSERT/MODIFY of type "UsageMonth") → Stripe Billing Meters.
    id: "workers-billing-meters",
    handler: "functions/workers/billing-meters.ts",
    access: { table: "RO", paymentSecrets: true },
    trigger: "table-stream",
    streamFilter: { eventName: ["INSERT", "MODIFY"], dynamodb: { NewImage: { type: { S: ["UsageMonth"] } } } },
  },
  {
    // A tenant's weekly gateway scan: its EventBridge Scheduler schedule (one per tenant, made by
    // POST /scan with schedule: true) invokes it with {tenantId}; it starts the gateway-scan workflow.
    // It moves the schedule's next run itself (UpdateSchedule), hence scanSchedules.
    id: SCAN_SCHEDULE_TARGET_ID,
    handler: "functions/workflows/gateway-scan/scheduled.ts",
    access: { table: "RW", workflows: "start", scanSchedules: true },
    trigger: "none",
    invokedAsync: true,
  },
  {
    // Audit records, gateway events, workflow progress and notifier messages → WebSocket clients of
    // their tenant (shared/realtime). Granted execute-api:ManageConnections on the WebSocket APIs
    // only, by the realtime stack.
    id: "workers-realtime-fanout",
    handler: "functions/workers/realtime-fanout.ts",
    access: { table: "RW" },
    trigger: "table-stream",
    streamFilters: [
      {
        eventName: ["INSERT"],
        dynamodb: { NewImage: { type: { S: ["Audit", "FirewallLine", "SshAuthFailure", "OutboxMessage"] } } },
      },
      {
        eventName: ["INSERT", "MODIFY"],
        dynamodb: { NewImage: { type: { S: ["SshSession", "WorkflowExecution", "FleetSyncOutcome"] } } },
      },
    ],
  },
  {
    // The WebSocket APIs' REQUEST authorizer on $connect (the realtime stack wires it).
    id: "realtime-authorize",
    handler: "functions/realtime/authorize.ts",
    // Verifies tokens (the JWT key's public half) and resolves API keys (recording their use).
    access: { table: "RW", jwtPublicKey: true },
    trigger: "none",
  },
  {
    // Audit records (table stream INSERTs of type "Audit") → linked into the tenant's hash chain,
    // with checkpoints (shared/audit/db/trail.ts): request functions append without a lock.
    id: "workers-audit-linker",
    handler: "functions/workers/audit-linker.ts",
    access: { table: "RW" },
    trigger: "table-stream",
    streamFilter: { eventName: ["INSERT"], dynamodb: { NewImage: { type: { S: ["Audit"] } } } },
  },
  {
    // Gateways' shadow reports (applied / failed / drifted) → `sync_state` events on their tenant's
    // events socket (shared/realtime/shadow-reports.ts). Granted execute-api:ManageConnections on the
    // WebSocket APIs only, by the realtime stack; its table access deletes connections that are gone.
    id: "iot-shadow-sync-events",
    handler: "functions/workers/shadow-sync-events.ts",
    access: { table: "RW" },
    trigger: "iot-shadow-documents",
  },
  tokenPublicKeysWorker,
];

/** Workers the IoT stack holds (topic-rule targets), not the workers stack. */
export const IOT_TRIGGERS: ReadonlySet<WorkerTrigger> = new Set<WorkerTrigger>(["iot-events", "iot-shadow-documents"]);
