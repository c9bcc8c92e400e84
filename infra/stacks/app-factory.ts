/**
 * Builds the whole CDK app from the route table and the worker list. `infra/app.ts` (cdk synth)
 * and the infra tests both call `createApp`, so what the tests assert is what gets deployed.
 *
 * Stacks: data (table, keys) ← api (HTTP API, stage) ← one routes stack per route file
 * (`<prefix>-Routes-<file>`) ← iot (only when something uses IoT) ← workers (only when there are
 * any) ← workflows (the state machines, when the workers hold their tasks). All stacks are environment-agnostic and nothing is looked up, so synth needs neither
 * network nor credentials.
 */
import { App, CrossStackReferences, ReferenceStrength, Tags, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks, NIST80053R5Checks } from "cdk-nag";
import { GATEWAY_POLICY_NAME } from "#shared/iot/policy.ts";
import type { RouteDef } from "#shared/kit/route.ts";
import { SCHEDULED_JOBS, taskFunctionId, WORKFLOWS } from "#shared/workflows/definitions.ts";
import { deploymentNames, KMS_KEY_ARN } from "../constructs/access-policy.ts";
import { acknowledgeNist80053R5 } from "../constructs/nag.ts";
import { acknowledgeServerlessApp } from "../constructs/nag-serverless.ts";
import { createOriginSecret } from "../constructs/origin-secret.ts";
import { TokenPublicKeyLookup } from "../constructs/token-public-keys.ts";
import type {
  ConcurrencySettings,
  FunctionSettings,
  PlatformResources,
  RollbackAlarms,
} from "../constructs/warden-function.ts";
import { routeFiles as routeTable } from "../routes.ts";
import { IOT_TRIGGERS, SCAN_SCHEDULE_TARGET_ID, type Worker, workers as workerList } from "../workers.ts";
import { ApiStack, ApiStageStack, type CustomDomain, MAX_INTEGRATIONS_PER_HTTP_API } from "./api-stack.ts";
import { blobBucketNameFor, DataStack } from "./data-stack.ts";
import { EdgeStack } from "./edge-stack.ts";
import { IotStack } from "./iot-stack.ts";
import { type Monitoring, monitoringFor } from "./monitoring-stack.ts";
import { RealtimeStack, realtimeStackFor } from "./realtime-stack.ts";
import { apiGatewayPath, isPublicSignIn, RoutesStack, routeThrottles } from "./routes-stack.ts";
import { WorkersStack } from "./workers-stack.ts";
import { WorkflowsStack } from "./workflows-stack.ts";

/**
 * Routes per stack. A route costs 9 resources (function, role, policy, log group, version, `live`
 * alias, invoke permission, integration, route) and 11 with `-c canary=true` (plus its deployment
 * group and error alarm), so 40 routes make at most 440 resources, plus 3 shared per stack (the
 * CodeDeploy application and role, the token public-key lookup of a stack with verifiers), of the
 * 500 allowed. A route file that grows past it is split
 * into two files (two stacks); synth refuses a larger one. (The largest file has 34 rows today.)
 */
export const ROUTES_PER_STACK = 40;

/** Lambda refuses a reservation that leaves the account fewer unreserved concurrent executions. */
export const MIN_UNRESERVED_CONCURRENCY = 100;

/**
 * Reserved concurrency by default. With today's 4 public sign-in routes, 1 ingest function and 28
 * other workers: 4 × 20 + 1 × 50 + 28 × 10 = 410 reserved, so an account at Lambda's default quota
 * of 1,000 keeps 590 unreserved (≥ 100) for the other routes. `reservedConcurrency()` checks the
 * sum against `accountConcurrency` at synth time with the actual counts.
 */
export const DEFAULT_CONCURRENCY: ConcurrencySettings = { auth: 20, ingest: 50, worker: 10 };

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
  /**
   * An Amazon Bedrock model id, inference profile id or ARN: the insights summary writes its prose
   * with it (README "Deploy"); without it the summary is the deterministic rules text.
   */
  bedrockModelId?: string;
  /**
   * `-c platformScanTenants=<id>@<created_at>,…`: the tenants that may scan the platform's own AWS account with
   * the scanner's own role (README "Cloudsentinel"); only then do the scan's collector functions
   * get read access to this account. Unset (the default): nobody may.
   */
  platformScanTenants?: string[];
  /** `-c stage=`: the `Stage` tag on every stack and resource (e.g. prod, staging). */
  stage?: string;
  /** `-c canary=true`: CodeDeploy canary (10 % for 5 minutes) per function, rolled back on its alarms. */
  canary?: boolean;
  /** Extra rollback alarms per function (see `RollbackAlarms`). */
  rollbackAlarms?: RollbackAlarms;
  /** Reserved concurrency (default `DEFAULT_CONCURRENCY`); `false` reserves none. */
  concurrency?: ConcurrencySettings | false;
  /** The account's concurrent-executions quota, to check the reservations against (default 1,000). */
  accountConcurrency?: number;
  /** `-c domainName= -c certificateArn=`: the API on a custom domain; execute-api is switched off. */
  domain?: CustomDomain;
  /** `-c waf=true`: CloudFront with a WAF web ACL in front of the API (deploy region us-east-1). */
  waf?: boolean;
  /** `-c alertEmail=`: an address subscribed to the alert topic (infra/stacks/monitoring-stack.ts). */
  alertEmail?: string;
  /** `-c apiRouteMetrics=true`: the stage's per-route metrics (billed as custom metrics). */
  apiRouteMetrics?: boolean;
  /**
   * `-c previousTokenKeyArn=`, during a signing-key rotation only (docs/token-key-rotation.md): the
   * previous token-signing key's ARN; its tokens keep verifying and the JWKS lists it.
   */
  previousTokenKeyArn?: string;
}

/** `-c previousTokenKeyArn`, checked: a key ARN (IAM grants GetPublicKey on it by ARN). */
function previousTokenKey(arn: string): string {
  if (!KMS_KEY_ARN.test(arn)) {
    throw new Error(
      `-c previousTokenKeyArn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>), not "${arn}"; ` +
        "see docs/token-key-rotation.md",
    );
  }
  return arn;
}

/**
 * The reservations this app makes, checked against the account's quota: Lambda refuses any that
 * would leave fewer than 100 unreserved, and it is better to learn that at synth than mid-deploy.
 */
export function reservedConcurrency(
  concurrency: ConcurrencySettings,
  counts: { auth: number; ingest: number; worker: number },
  accountConcurrency = 1000,
): { reserved: number; unreserved: number } {
  const reserved =
    counts.auth * concurrency.auth + counts.ingest * concurrency.ingest + counts.worker * concurrency.worker;
  const unreserved = accountConcurrency - reserved;
  if (unreserved < MIN_UNRESERVED_CONCURRENCY) {
    throw new Error(
      `reserved concurrency ${counts.auth} sign-in routes × ${concurrency.auth} + ${counts.ingest} ingest × ` +
        `${concurrency.ingest} + ${counts.worker} workers × ${concurrency.worker} = ${reserved} leaves ${unreserved} ` +
        `of the account's ${accountConcurrency} unreserved; Lambda needs at least ${MIN_UNRESERVED_CONCURRENCY}. ` +
        "Lower -c reservedAuth/reservedIngest/reservedWorker, raise the quota (-c accountConcurrency), or -c reservedConcurrency=false",
    );
  }
  return { reserved, unreserved };
}

export interface WardenApp {
  app: App;
  data: DataStack;
  api: ApiStack;
  stage: ApiStageStack;
  edge?: EdgeStack;
  /** What the reservations add up to (undefined when none are made). */
  concurrency?: { reserved: number; unreserved: number };
  routeStacks: RoutesStack[];
  iot?: IotStack;
  workers?: WorkersStack;
  workflows?: WorkflowsStack;
  monitoring: Monitoring;
  /** The deploy-time token public-key lookup (data stack), when any function needs the keys. */
  tokenKeyLookup?: TokenPublicKeyLookup;
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
  if (options.nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new NIST80053R5Checks(app));
  // Cost allocation and ownership on every stack and every resource that takes tags.
  Tags.of(app).add("Application", "Warden");
  Tags.of(app).add("Deployment", prefix);
  Tags.of(app).add("ManagedBy", "aws-cdk");
  if (options.stage) Tags.of(app).add("Stage", options.stage);

  const httpRows = routes.filter((r) => r.method !== "WEBSOCKET");
  if (httpRows.length > MAX_INTEGRATIONS_PER_HTTP_API) {
    throw new Error(
      `${httpRows.length} HTTP routes: an HTTP API holds at most ${MAX_INTEGRATIONS_PER_HTTP_API} integrations ` +
        '(one per route here); split the API by surface (README "Deploy", the integration ceiling)',
    );
  }
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  const concurrencyTotals = concurrency
    ? reservedConcurrency(
        concurrency,
        {
          auth: httpRows.filter(isPublicSignIn).length,
          ingest: workers.filter((w) => w.trigger === "iot-events").length,
          // The deploy-time lookup (custom resource) is invoked by CloudFormation only: no reservation.
          worker: workers.filter((w) => w.trigger !== "iot-events" && w.trigger !== "custom-resource").length,
        },
        options.accountConcurrency,
      )
    : undefined;
  // Strong (export/import) references: CloudFormation itself then refuses to delete or change the
  // table, keys or API while a route stack still uses them, which is what a stateful core wants.
  CrossStackReferences.of(app).consume(ReferenceStrength.STRONG);

  const data = new DataStack(app, `${prefix}-Data`, {
    description: "Warden: single table and KMS keys",
    tableName: `${prefix.toLowerCase()}-table`,
    blobBucketName: blobBucketNameFor(prefix),
  });
  const api = new ApiStack(app, `${prefix}-Api`, {
    description: "Warden: HTTP API and its access logs",
    // Behind CloudFront the origin is the execute-api endpoint, which must stay on.
    disableExecuteApiEndpoint: !!options.domain && !options.waf,
  });
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
    ...(options.previousTokenKeyArn && { previousJwtKeyArn: previousTokenKey(options.previousTokenKeyArn) }),
    blobBucketName: data.blobBucketName,
    blobKey: data.blobKey,
    tenantRoleName: data.tenantRoleName,
    iotGatewayPolicyName,
    // State machines are found by name (workflows stack), so no function depends on that stack.
    stateMachineNamePrefix: `${prefix.toLowerCase()}-`,
    ...(options.stripeSecretArn ? { paymentSecretArn: options.stripeSecretArn } : {}),
    ...(options.bedrockModelId ? { bedrockModelId: options.bedrockModelId } : {}),
    ...(options.platformScanTenants?.length ? { platformScanTenants: options.platformScanTenants } : {}),
    release: { canary: !!options.canary, ...(options.rollbackAlarms && { rollbackAlarms: options.rollbackAlarms }) },
    concurrency,
    names: deploymentNames(prefix, data.stackName),
    scanSchedules: workers.some((w) => w.id === SCAN_SCHEDULE_TARGET_ID),
  };

  const ingestWorkers = workers.filter((w) => IOT_TRIGGERS.has(w.trigger));
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

  // `-c waf=true`: the origin secret CloudFront sends and the kit checks before it trusts the
  // viewer address (infra/constructs/origin-secret.ts).
  const originSecret = options.waf ? createOriginSecret(data) : undefined;

  const platform: PlatformResources = {
    ...targets,
    ...(originSecret && { originSecret: originSecret.value }),
    settings,
    iotDataEndpoint: () => {
      if (!iot) throw new Error("IoT data endpoint requested but the app has no IoT stack");
      return iot.iotDataEndpoint();
    },
  };

  // The token-signing keys' public halves, read once at deploy time for the verifiers (issue 16):
  // the lookup lives beside the key, made when the first function needs it.
  let tokenKeyLookup: TokenPublicKeyLookup | undefined;
  platform.tokenPublicKeyLookup = () => {
    tokenKeyLookup ??= new TokenPublicKeyLookup(data, "TokenPublicKeyLookup", {
      assetsDir: options.assetsDir,
      platform,
    });
    return tokenKeyLookup.serviceToken;
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

  const otherWorkers = workers.filter((w) => !IOT_TRIGGERS.has(w.trigger) && w.trigger !== "custom-resource");
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
    iot,
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

  // The stage after every route stack: its per-route throttles name routes that must exist first.
  const stage = new ApiStageStack(app, `${prefix}-Stage`, {
    description: "Warden: the API's $default stage (throttles, access logs) and custom domain",
    api: api.api,
    accessLogs: api.accessLogs,
    routeThrottles: routeThrottles(httpRows),
    ...(options.domain && !options.waf && { domain: options.domain }),
    detailedMetrics: options.apiRouteMetrics,
  });
  for (const routesStack of routeStackList) stage.addStackDependency(routesStack);

  const edge = options.waf
    ? new EdgeStack(app, `${prefix}-Edge`, {
        description: "Warden: CloudFront and WAF in front of the API (us-east-1)",
        originHost: stage.host,
        logGroupName: `aws-waf-logs-${prefix.toLowerCase()}`,
        signInPaths: httpRows.filter(isPublicSignIn).map((r) => apiGatewayPath(r.path)),
        ...(originSecret && { originSecret: originSecret.value }),
        ...(options.domain && { domain: options.domain }),
      })
    : undefined;

  if (options.nag) acknowledgeNist80053R5(app);

  // Alarms from the route table and the workers, and the dashboard (after every function exists).
  const realtime = app.node.children.find((c): c is RealtimeStack => c instanceof RealtimeStack);
  const monitoring = monitoringFor(app, {
    prefix,
    alertEmail: options.alertEmail,
    api,
    tableName: data.tableName,
    routes,
    routeStacks: [...routeStackList, ...(realtime ? [realtime] : [])].map((stack) => ({
      stack,
      functions: stack.functions,
    })),
    workers: workersStack,
    iot,
  });
  acknowledgeServerlessApp(app);

  return {
    app,
    data,
    api,
    stage,
    edge,
    concurrency: concurrencyTotals,
    routeStacks: routeStackList,
    iot,
    workers: workersStack,
    workflows: workflowsStack,
    monitoring,
    ...(tokenKeyLookup && { tokenKeyLookup }),
  };
}
