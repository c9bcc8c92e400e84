/**
 * Builds the whole CDK app from the route table and the worker list. `infra/app.ts` (cdk synth)
 * and the infra tests both call `createApp`, so what the tests assert is what gets deployed.
 *
 * Stacks: data (table, keys) ← api (HTTP API, stage) ← one routes stack per route file
 * (`<prefix>-Routes-<file>`) ← iot (only when something uses IoT) ← workers (only when there are
 * any) ← workflows (the state machines, when the workers hold their tasks). All stacks are environment-agnostic and nothing is looked up, so synth needs neither
 * network nor credentials.
 */
import { App, CrossStackReferences, ReferenceStrength, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import { GATEWAY_POLICY_NAME } from "#shared/iot/policy.ts";
import type { RouteDef } from "#shared/kit/route.ts";
import { SCHEDULED_JOBS, taskFunctionId, WORKFLOWS } from "#shared/workflows/definitions.ts";
import { deploymentNames } from "../constructs/access-policy.ts";
import type { FunctionSettings, PlatformResources } from "../constructs/warden-function.ts";
import { routeFiles as routeTable } from "../routes.ts";
import { SCAN_SCHEDULE_TARGET_ID, type Worker, workers as workerList } from "../workers.ts";
import { ApiStack } from "./api-stack.ts";
import { blobBucketNameFor, DataStack } from "./data-stack.ts";
import { IotStack } from "./iot-stack.ts";
import { realtimeStackFor } from "./realtime-stack.ts";
import { apiGatewayPath, RoutesStack } from "./routes-stack.ts";
import { WorkersStack } from "./workers-stack.ts";
import { WorkflowsStack } from "./workflows-stack.ts";

/**
 * Routes per stack. A route costs 7 resources (function, role, policy, log group, invoke
 * permission, integration, route), so 60 routes stay near 420 of the 500 allowed. A route file
 * that grows past it is split into two files (two stacks); synth refuses a larger one.
 */
export const ROUTES_PER_STACK = 60;

export interface CreateAppOptions {
  /** Directory with one `<functionId>/index.mjs` per function, as written by `buildFunctions()`. */
  assetsDir: string;
  /** Route file name → rows; one routes stack per file. Defaults to `infra/routes.ts` `routeFiles`. */
  routeFiles?: Record<string, RouteDef[]>;
  /** Defaults to `infra/workers.ts`. */
  workers?: Worker[];
  /** Run cdk-nag's AwsSolutions pack at synth; unacknowledged findings fail the synth. */
  nag?: boolean;
  /** Prefix of every stack name, so two copies (e.g. staging and prod) can share an account. */
  prefix?: string;
  settings?: Partial<FunctionSettings>;
  /** Passed to the App, e.g. an `outdir` for tests. */
  outdir?: string;
  /**
   * The Secrets Manager secret (ARN or name) holding the Stripe configuration as a JSON object
   * (`STRIPE_SECRET_KEY`, `STRIPE_WEBHOOK_SECRET`, `STRIPE_PRICE_PRO`, `STRIPE_PRICE_ENTERPRISE`,
   * optionally `STRIPE_METER_*`). Without it the deployment has no payment provider.
   */
  stripeSecretArn?: string;
}

export interface WardenApp {
  app: App;
  data: DataStack;
  api: ApiStack;
  routeStacks: RoutesStack[];
  iot?: IotStack;
  workers?: WorkersStack;
  workflows?: WorkflowsStack;
}

/**
 * The routes stack of each route file: `Routes-<file>`, holding that file's HTTP rows. A function's
 * stack depends on the file its row is in and on nothing else (not on row order, not on other
 * files), so adding or moving a row elsewhere never moves a deployed function between stacks.
 */
export function routeStacks(files: Record<string, RouteDef[]>): { name: string; routes: RouteDef[] }[] {
  return Object.entries(files)
    .map(([file, rows]) => {
      if (!/^[a-z][a-z0-9-]*$/.test(file)) throw new Error(`route file name '${file}' must be kebab-case`);
      const http = rows.filter((r) => r.method !== "WEBSOCKET");
      if (http.length > ROUTES_PER_STACK) {
        throw new Error(
          `infra/routes/${file}.ts has ${http.length} HTTP routes; a stack holds at most ${ROUTES_PER_STACK}: split the file`,
        );
      }
      return { name: `Routes-${file}`, routes: http };
    })
    .filter((s) => s.routes.length > 0)
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Two rows that differ only by a trailing slash would become one API Gateway route key. */
function assertDistinctRouteKeys(routes: RouteDef[]) {
  const seen = new Map<string, string>();
  for (const r of routes) {
    if (r.method === "WEBSOCKET") continue;
    const key = `${r.method} ${apiGatewayPath(r.path)}`;
    const other = seen.get(key);
    if (other) throw new Error(`'${r.method} ${r.path}' and '${other}' are the same API Gateway route '${key}'`);
    seen.set(key, `${r.method} ${r.path}`);
  }
}

export function createApp(options: CreateAppOptions): WardenApp {
  const files: Record<string, RouteDef[]> = options.routeFiles ?? routeTable;
  const routes = Object.values(files).flat();
  const workers = options.workers ?? workerList;
  const prefix = options.prefix ?? "Warden";
  const settings: FunctionSettings = {
    issuer: "warden",
    audience: "warden-api",
    tokenTtlSeconds: 3600,
    logLevel: "info",
    notifier: "outbox",
    ...options.settings,
  };

  const app = new App(options.outdir ? { outdir: options.outdir } : {});
  if (options.nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  // Strong (export/import) references: CloudFormation itself then refuses to delete or change the
  // table, keys or API while a route stack still uses them, which is what a stateful core wants.
  CrossStackReferences.of(app).consume(ReferenceStrength.STRONG);

  const data = new DataStack(app, `${prefix}-Data`, {
    description: "Warden: single table and KMS keys",
    tableName: `${prefix.toLowerCase()}-table`,
    blobBucketName: blobBucketNameFor(prefix),
  });
  const api = new ApiStack(app, `${prefix}-Api`, { description: "Warden: HTTP API and stage" });
  // One static gateway policy per deployment: IoT policy names are unique per account and region,
  // so a second copy (another prefix) gets its own.
  const registersGateways = [...routes, ...workers].some((r) => r.access.iotRegistry);
  const iotGatewayPolicyName = registersGateways
    ? prefix === "Warden"
      ? GATEWAY_POLICY_NAME
      : `${GATEWAY_POLICY_NAME}-${prefix.toLowerCase()}`
    : undefined;
  const targets = {
    tableName: data.tableName,
    tableKey: data.tableKey,
    dataKey: data.dataKey,
    jwtKey: data.jwtKey,
    blobBucketName: data.blobBucketName,
    blobKey: data.blobKey,
    iotGatewayPolicyName,
    // State machines are found by name (workflows stack), so no function depends on that stack.
    stateMachineNamePrefix: `${prefix.toLowerCase()}-`,
    ...(options.stripeSecretArn ? { paymentSecretArn: options.stripeSecretArn } : {}),
    names: deploymentNames(prefix, data.stackName),
    scanSchedules: workers.some((w) => w.id === SCAN_SCHEDULE_TARGET_ID),
  };

  const ingestWorkers = workers.filter((w) => w.trigger === "iot-events");
  const usesIot = (a: RouteDef["access"]) => a.iotShadows || a.iotShadowsRead || a.iotPublish || a.iotRegistry;
  const iot =
    ingestWorkers.length > 0 || [...routes, ...workers].some((r) => usesIot(r.access))
      ? new IotStack(app, `${prefix}-Iot`, {
          description: "Warden: IoT topic rules and data endpoint",
          ingestWorkers,
          assetsDir: options.assetsDir,
          platform: { ...targets, settings },
          gatewayPolicyName: iotGatewayPolicyName,
        })
      : undefined;

  const platform: PlatformResources = {
    ...targets,
    settings,
    iotDataEndpoint: () => {
      if (!iot) throw new Error("IoT data endpoint requested but the app has no IoT stack");
      return iot.iotDataEndpoint();
    },
  };

  assertDistinctRouteKeys(routes);
  const routeStackList = routeStacks(files).map(
    (stack) =>
      new RoutesStack(app, `${prefix}-${stack.name}`, {
        description: `Warden: ${stack.name.slice("Routes-".length)} routes`,
        api: api.api,
        routes: stack.routes,
        assetsDir: options.assetsDir,
        platform,
      }),
  );

  const otherWorkers = workers.filter((w) => w.trigger !== "iot-events");
  const workersStack =
    otherWorkers.length > 0
      ? new WorkersStack(app, `${prefix}-Workers`, {
          description: "Warden: stream handlers and workflow tasks",
          workers: otherWorkers,
          table: data.table,
          assetsDir: options.assetsDir,
          platform,
        })
      : undefined;

  realtimeStackFor(app, `${prefix}-Realtime`, {
    routes,
    workers: workersStack,
    assetsDir: options.assetsDir,
    platform,
  });

  const taskFunctions = workersStack?.functions ?? new Map();
  const workflows = WORKFLOWS.filter((def) => taskFunctions.has(taskFunctionId(def.finish)));
  const workflowsStack =
    workflows.length > 0
      ? new WorkflowsStack(app, `${prefix}-Workflows`, {
          description: "Warden: Step Functions state machines (certificate renewal)",
          workflows,
          schedules: SCHEDULED_JOBS.filter((job) => taskFunctions.has(taskFunctionId(job.handler))),
          functions: taskFunctions,
          stateMachineNamePrefix: targets.stateMachineNamePrefix,
          scanSchedules: targets.scanSchedules ? targets.names : undefined,
        })
      : undefined;

  return { app, data, api, routeStacks: routeStackList, iot, workers: workersStack, workflows: workflowsStack };
}
