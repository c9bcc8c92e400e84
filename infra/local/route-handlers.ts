/**
 * How local mode and the tests turn a row of the route table into its Lambda handler: import the
 * row's module and bind its `endpoint` to the row — what the generated entry of a deployed bundle
 * does (infra/build.ts `routeEntry`). Each module is loaded once per process.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Endpoint, LambdaHandler } from "#shared/kit/endpoint.ts";
import type { RouteDef } from "#shared/kit/route.ts";

export type { LambdaHandler } from "#shared/kit/endpoint.ts";

export function routeHandlers(root: string): (route: RouteDef) => Promise<LambdaHandler> {
  const bound = new Map<RouteDef, Promise<LambdaHandler>>();
  return (route) => {
    let handler = bound.get(route);
    if (!handler) {
      handler = loadEndpoint(root, route.handler).then((endpoint) => endpoint.lambda(route));
      bound.set(route, handler);
    }
    return handler;
  };
}

export async function loadEndpoint(root: string, modulePath: string): Promise<Endpoint> {
  const mod = (await import(pathToFileURL(join(root, modulePath)).href)) as { endpoint?: Endpoint };
  if (!mod.endpoint || typeof mod.endpoint.lambda !== "function") {
    throw new Error(`${modulePath} does not export an endpoint (export const endpoint = defineEndpoint(…))`);
  }
  return mod.endpoint;
}
