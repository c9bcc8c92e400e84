/**
 * A slice of the route table: one Lambda and one HTTP API route per row. The app factory splits
 * the table into slices by surface so each stack stays far below CloudFormation's 500 resources.
 */
import { Stack, type StackProps } from "aws-cdk-lib";
import { HttpMethod, HttpRoute, HttpRouteKey, type IHttpApi, PayloadFormatVersion } from "aws-cdk-lib/aws-apigatewayv2";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import type { Construct } from "constructs";
import { functionId, type RouteDef, routeKey } from "#shared/kit/route.ts";
import { acknowledgeInFunctionAuthorization } from "../constructs/nag.ts";
import { type PlatformResources, WardenFunction } from "../constructs/warden-function.ts";

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
        },
        platform: props.platform,
      });
      const httpRoute = new HttpRoute(this, `${id}-Route`, {
        httpApi: props.api,
        routeKey: HttpRouteKey.with(apiGatewayPath(route.path), HttpMethod[route.method]),
        integration: new HttpLambdaIntegration(`${id}-Integration`, fn.function, {
          payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
        }),
      });
      acknowledgeInFunctionAuthorization(httpRoute);
      this.functions.set(id, fn);
    }
  }
}
