/**
 * A slice of the route table: one Lambda and one HTTP API route per row. The app factory splits
 * the table into slices by surface so each stack stays far below CloudFormation's 500 resources.
 */
import { Stack, type StackProps } from "aws-cdk-lib";
import { HttpMethod, HttpRoute, HttpRouteKey, type IHttpApi, PayloadFormatVersion } from "aws-cdk-lib/aws-apigatewayv2";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import type { Construct } from "constructs";
import { functionId, type RouteDef, routeKey } from "#shared/kit/route.ts";
import type { RateClass } from "#shared/tenancy/rate-limit.ts";
import { acknowledgeInFunctionAuthorization } from "../constructs/nag.ts";
import { type PlatformResources, WardenFunction } from "../constructs/warden-function.ts";
import type { Throttle } from "./api-stack.ts";

export interface RoutesStackProps extends StackProps {
  api: IHttpApi;
  /** HTTP rows only; WebSocket rows belong to the WebSocket API. */
  routes: RouteDef[];
  assetsDir: string;
  platform: PlatformResources;
}

/**
 * API Gateway route key path for a row. The GRC spec (Django REST) writes its paths with a trailing
 * slash, but an HTTP API rejects a route path that ends with "/" (so does CDK's HttpRouteKey), so
 * the slash is dropped here and only here. API Gateway routes a request for `/x/` to the route `/x`
 * anyway, with the path as sent in the event. The function does not mind either way: its row is
 * compiled into its bundle (infra/build.ts), it is not looked up by the request path. Local mode and
 * the tests keep serving the spec's exact paths.
 */
export function apiGatewayPath(path: string): string {
  return path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
}

/**
 * A public sign-in route: no permission (anyone may call it) and an auth rate class (login, 2FA,
 * signup, token; refresh and password reset when they come). These get the strictest throttles and
 * their own reserved concurrency, so a credential-stuffing flood is capped at the door and cannot
 * take the account's Lambda concurrency from every other route.
 */
export function isPublicSignIn(route: RouteDef): boolean {
  return route.permission === null && (route.rateClass === "auth" || route.rateClass === "auth-strict");
}

/**
 * API Gateway's limits per route, over all callers together (the endpoint kit's per-tenant and
 * per-address windows, shared/tenancy/rate-limit.ts, come on top). They are set well above what
 * one tenant may spend (RATE_CLASSES, per minute) and well below the stage's 1,000 rps, so one
 * route cannot spend the whole stage; the public sign-in routes get far less (`PUBLIC_SIGN_IN`).
 */
export const ROUTE_THROTTLES: Record<RateClass, Throttle> = {
  "auth-strict": { rateLimit: 20, burstLimit: 40 },
  auth: { rateLimit: 50, burstLimit: 100 },
  scan: { rateLimit: 20, burstLimit: 40 },
  ai: { rateLimit: 20, burstLimit: 40 },
  billing: { rateLimit: 20, burstLimit: 40 },
  metrics: { rateLimit: 100, burstLimit: 200 },
  general: { rateLimit: 300, burstLimit: 300 },
  compliance: { rateLimit: 200, burstLimit: 200 },
  unlimited: { rateLimit: 50, burstLimit: 100 },
};

/** The public sign-in routes, by rate class: a few requests per second for everyone together. */
export const PUBLIC_SIGN_IN_THROTTLES: Partial<Record<RateClass, Throttle>> = {
  "auth-strict": { rateLimit: 5, burstLimit: 10 },
  auth: { rateLimit: 10, burstLimit: 20 },
};

/** API Gateway's route key of a row, as the stage's route settings name it. */
export const apiGatewayRouteKey = (route: RouteDef): string => `${route.method} ${apiGatewayPath(route.path)}`;

/** The throttle of every HTTP row, by route key. */
export function routeThrottles(routes: RouteDef[]): Record<string, Throttle> {
  return Object.fromEntries(
    routes
      .filter((r) => r.method !== "WEBSOCKET")
      .map((r) => [
        apiGatewayRouteKey(r),
        (isPublicSignIn(r) && PUBLIC_SIGN_IN_THROTTLES[r.rateClass]) || ROUTE_THROTTLES[r.rateClass],
      ]),
  );
}

export class RoutesStack extends Stack {
  readonly functions = new Map<string, WardenFunction>();

  constructor(scope: Construct, id: string, props: RoutesStackProps) {
    super(scope, id, props);

    for (const route of props.routes) {
      if (route.method === "WEBSOCKET")
        throw new Error(`${routeKey(route)}: WebSocket rows do not belong in an HTTP API`);
      const id = functionId(route.handler);
      const fn = new WardenFunction(this, id, {
        functionId: id,
        assetsDir: props.assetsDir,
        description: routeKey(route),
        needs: {
          ...route.access,
          rateLimit: route.rateClass !== "unlimited",
          verifyTokens: route.permission !== null,
          httpRoute: true,
        },
        platform: props.platform,
        ...(isPublicSignIn(route) &&
          props.platform.concurrency && { reservedConcurrency: props.platform.concurrency.auth }),
      });
      const httpRoute = new HttpRoute(this, `${id}-Route`, {
        httpApi: props.api,
        routeKey: HttpRouteKey.with(apiGatewayPath(route.path), HttpMethod[route.method]),
        integration: new HttpLambdaIntegration(`${id}-Integration`, fn.alias, {
          payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
        }),
      });
      acknowledgeInFunctionAuthorization(httpRoute);
      this.functions.set(id, fn);
    }
  }
}
