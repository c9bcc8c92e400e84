/**
 * Builds the whole CDK app from the route table and the worker list. `infra/app.ts` (cdk synth)
 * and the infra tests both call `createApp`, so what the tests assert is what gets deployed.
 *
 * Stacks: data (table, keys) ← api (HTTP API, stage) ← routes per surface, in slices
 * ← iot (only when something uses IoT) ← workers (only when there are any). All stacks are
 * environment-agnostic and nothing is looked up, so synth needs neither network nor credentials.
 */
import { App, CrossStackReferences, ReferenceStrength, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import { GATEWAY_POLICY_NAME } from "#shared/iot/policy.ts";
import type { RouteDef } from "#shared/kit/route.ts";
import type { FunctionSettings, PlatformResources } from "../constructs/warden-function.ts";
import { routes as routeTable } from "../routes.ts";
import { type Worker, workers as workerList } from "../workers.ts";
import { ApiStack } from "./api-stack.ts";
import { DataStack } from "./data-stack.ts";
import { IotStack } from "./iot-stack.ts";
import { apiGatewayPath, RoutesStack } from "./routes-stack.ts";
import { WorkersStack } from "./workers-stack.ts";

/**
 * Routes per stack. A route costs 7 resources (function, role, policy, log group, invoke
 * permission, integration, route), so 60 routes stay near 420 of the 500 allowed.
 */
export const ROUTES_PER_STACK = 60;

/** Surfaces in a fixed order, so adding a surface never renames the stacks of another. */
const SURFACE_ORDER = ["platform", "gateway", "grc", "cloudsentinel", "securenet"];

export interface CreateAppOptions {
  /** Directory with one `<functionId>/index.mjs` per function, as written by `buildFunctions()`. */
  assetsDir: string;
  /** Defaults to `infra/routes.ts`. */
  routes?: RouteDef[];
  /** Defaults to `infra/workers.ts`. */
  workers?: Worker[];
  /** Run cdk-nag's AwsSolutions pack at synth; unacknowledged findings fail the synth. */
  nag?: boolean;
  /** Prefix of every stack name, so two copies (e.g. staging and prod) can share an account. */
  prefix?: string;
  settings?: Partial<FunctionSettings>;
  routesPerStack?: number;
  /** Passed to the App, e.g. an `outdir` for tests. */
  outdir?: string;
}

export interface WardenApp {
  app: App;
  data: DataStack;
  api: ApiStack;
  routeStacks: RoutesStack[];
  iot?: IotStack;
  workers?: WorkersStack;
}

/**
 * HTTP rows grouped by surface and cut into slices of at most `size`, in route-table order. Add new
 * rows at the end of a surface's routes: a row that shifts into another slice is deleted by one
 * stack and created by another, and API Gateway refuses the new route while the old one exists
 * (a second deploy then succeeds).
 */
export function sliceRoutes(routes: RouteDef[], size = ROUTES_PER_STACK): { surface: string; routes: RouteDef[] }[] {
  const bySurface = new Map<string, RouteDef[]>();
  for (const r of routes) {
    if (r.method === "WEBSOCKET") continue;
    bySurface.set(r.surface, [...(bySurface.get(r.surface) ?? []), r]);
  }
  const rank = (s: string) => (SURFACE_ORDER.includes(s) ? SURFACE_ORDER.indexOf(s) : SURFACE_ORDER.length);
  const surfaces = [...bySurface.keys()].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  return surfaces.flatMap((surface) => {
    const rows = bySurface.get(surface) ?? [];
    const slices = [];
    for (let i = 0; i < rows.length; i += size) slices.push({ surface, routes: rows.slice(i, i + size) });
    return slices;
  });
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
  const routes = options.routes ?? routeTable;
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
    iotGatewayPolicyName,
  };

  const ingestWorkers = workers.filter((w) => w.trigger === "iot-events");
  const usesIot = (a: RouteDef["access"]) => a.iotShadows || a.iotPublish || a.iotRegistry;
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
  const slices = sliceRoutes(routes, options.routesPerStack);
  const counters = new Map<string, number>();
  const routeStacks = slices.map((slice) => {
    const n = (counters.get(slice.surface) ?? 0) + 1;
    counters.set(slice.surface, n);
    return new RoutesStack(app, `${prefix}-Routes-${slice.surface}-${n}`, {
      description: `Warden: ${slice.surface} routes, part ${n}`,
      api: api.api,
      routes: slice.routes,
      assetsDir: options.assetsDir,
      platform,
    });
  });

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

  return { app, data, api, routeStacks, iot, workers: workersStack };
}
