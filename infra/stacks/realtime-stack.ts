/**
 * The WebSocket streams (the WEBSOCKET rows of the route table, shared/realtime/streams.ts): one
 * API Gateway WebSocket API per stream, so each keeps its own URL, limits and logs. Each API's
 * `$connect` runs the shared REQUEST authorizer (a worker function: the token or API key comes as
 * `?token=` or in `Sec-WebSocket-Protocol`, so no single identity source can be required — the
 * authorizer itself refuses a missing token with 401), then the row's function stores the
 * connection; `$default` (subscribe, ping) and `$disconnect` invoke the same function.
 *
 * The fan-out worker (workers stack) and the IoT stack's worker of gateway-reported sync states
 * (`iot-shadow-sync-events`) reach clients through each API's `@connections` endpoint: this stack
 * grants their roles `execute-api:ManageConnections` on these APIs' stages only.
 *
 * Idle connections: API Gateway closes a WebSocket after 10 minutes without a frame and any
 * connection after 2 hours; clients send `{"action":"ping"}` (answered `{"type":"pong"}`) to stay
 * open, and reconnect at the two-hour mark. The connection items' TTL matches the two hours.
 */
import { type CfnElement, CfnOutput, Stack, type StackProps } from "aws-cdk-lib";
import { WebSocketApi, WebSocketStage } from "aws-cdk-lib/aws-apigatewayv2";
import { WebSocketLambdaAuthorizer } from "aws-cdk-lib/aws-apigatewayv2-authorizers";
import { WebSocketLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import { type IRole, Policy, PolicyStatement, type Role } from "aws-cdk-lib/aws-iam";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import type { Construct } from "constructs";
import { functionId, type RouteDef, routeKey } from "#shared/kit/route.ts";
import { acknowledgeManageConnections, acknowledgeWebSocketApi } from "../constructs/nag.ts";
import { type PlatformResources, WardenFunction } from "../constructs/warden-function.ts";

/** The IoT stack's worker that posts gateway-reported sync states (infra/workers.ts). */
export const SHADOW_SYNC_WORKER_ID = "iot-shadow-sync-events";

/** The stage every stream's API serves (its URL ends in it; the fan-out posts to `…/live/@connections`). */
export const WEBSOCKET_STAGE = "live";

export interface RealtimeStackProps extends StackProps {
  /** The WEBSOCKET rows of the route table. */
  routes: RouteDef[];
  assetsDir: string;
  platform: PlatformResources;
  /** The `$connect` authorizer (worker `realtime-authorize`). */
  authorizer: IFunction;
  /** The role of the table-stream worker that fans events out (worker `workers-realtime-fanout`). */
  fanOutRole: IRole;
  /** Roles of other workers that post events to clients (the IoT stack's `iot-shadow-sync-events`). */
  otherPosterRoles?: IRole[];
  /** Per-stage limits on client frames and connects (per-tenant fairness is the fan-out's). */
  throttle?: { rateLimit: number; burstLimit: number };
}

export class RealtimeStack extends Stack {
  readonly functions = new Map<string, WardenFunction>();
  readonly apis = new Map<string, WebSocketApi>();

  constructor(scope: Construct, id: string, props: RealtimeStackProps) {
    super(scope, id, props);
    const connectionArns: string[] = [];

    for (const route of props.routes) {
      if (route.method !== "WEBSOCKET") throw new Error(`${routeKey(route)}: only WebSocket rows belong here`);
      const id = functionId(route.handler);
      const fn = new WardenFunction(this, id, {
        functionId: id,
        assetsDir: props.assetsDir,
        description: `${routeKey(route)} ($connect, $default, $disconnect)`,
        needs: route.access,
        platform: props.platform,
      });
      this.functions.set(id, fn);
      const integration = (name: string) => new WebSocketLambdaIntegration(`${id}-${name}`, fn.alias);
      const api = new WebSocketApi(this, `${id}-Api`, {
        description: `Warden ${route.path}: ${route.permission === "authenticated" ? "any signed-in caller" : `requires ${route.permission}`}`,
        connectRouteOptions: {
          integration: integration("Connect"),
          authorizer: new WebSocketLambdaAuthorizer(`${id}-Authorizer`, props.authorizer, { identitySource: [] }),
        },
        disconnectRouteOptions: { integration: integration("Disconnect") },
        defaultRouteOptions: { integration: integration("Default") },
      });
      const stage = new WebSocketStage(this, `${id}-Stage`, {
        webSocketApi: api,
        stageName: WEBSOCKET_STAGE,
        autoDeploy: true,
        throttle: props.throttle ?? { rateLimit: 100, burstLimit: 200 },
      });
      acknowledgeWebSocketApi(api, stage);
      this.apis.set(route.path, api);
      connectionArns.push(
        this.formatArn({
          service: "execute-api",
          resource: api.apiId,
          resourceName: `${WEBSOCKET_STAGE}/POST/@connections/*`,
        }),
        this.formatArn({
          service: "execute-api",
          resource: api.apiId,
          resourceName: `${WEBSOCKET_STAGE}/DELETE/@connections/*`,
        }),
      );
      new CfnOutput(this, `${id}-Url`, { value: stage.url, description: `WebSocket URL of ${route.path}` });
    }

    // $default answers (pong, subscribed) through the same @connections API as the fan-out.
    const manage = new PolicyStatement({ actions: ["execute-api:ManageConnections"], resources: connectionArns });
    const apiIds = [...this.apis.values()].map((a) => this.getLogicalId(a.node.defaultChild as CfnElement));
    for (const fn of this.functions.values()) {
      fn.role.addToPrincipalPolicy(manage);
      acknowledgeManageConnections(fn.role, apiIds, WEBSOCKET_STAGE);
    }
    const fanOut = new Policy(this, "FanOutManageConnections", {
      roles: [props.fanOutRole, ...(props.otherPosterRoles ?? [])],
      statements: [manage],
    });
    acknowledgeManageConnections(fanOut, apiIds, WEBSOCKET_STAGE);
  }
}

/**
 * The realtime stack of an app, when its route table has WebSocket rows (and the workers stack
 * holds their authorizer and fan-out worker); otherwise none.
 */
export function realtimeStackFor(
  scope: Construct,
  id: string,
  opts: {
    routes: RouteDef[];
    workers: { functions: Map<string, WardenFunction> } | undefined;
    /** The IoT stack, whose `iot-shadow-sync-events` worker (when present) posts sync states to clients. */
    iot?: { ingestFunctions: Map<string, WardenFunction> } | undefined;
    assetsDir: string;
    platform: PlatformResources;
  },
): RealtimeStack | undefined {
  const rows = opts.routes.filter((r) => r.method === "WEBSOCKET");
  if (rows.length === 0) return undefined;
  const authorizer = opts.workers?.functions.get("realtime-authorize");
  const fanOut = opts.workers?.functions.get("workers-realtime-fanout");
  if (!authorizer || !fanOut) {
    throw new Error(
      "WebSocket rows need the workers 'realtime-authorize' and 'workers-realtime-fanout' (infra/workers.ts)",
    );
  }
  return new RealtimeStack(scope, id, {
    description: "Warden: WebSocket APIs of the realtime streams",
    routes: rows,
    assetsDir: opts.assetsDir,
    platform: opts.platform,
    authorizer: authorizer.alias,
    fanOutRole: fanOut.role,
    otherPosterRoles: [opts.iot?.ingestFunctions.get(SHADOW_SYNC_WORKER_ID)?.role].filter((r): r is Role => !!r),
  });
}
