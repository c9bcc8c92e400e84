/**
 * WEBSOCKET /ws/notifications: `$connect` (after the authorizer), `$default` (subscribe, ping) and
 * `$disconnect` of the notifications stream (shared/realtime), bound to its row like an HTTP endpoint.
 */
import type { Endpoint, LambdaHandler } from "#shared/kit/endpoint.ts";
import { routeKey } from "#shared/kit/route.ts";
import { websocketHandler } from "#shared/realtime/handler.ts";

const KEY = "WEBSOCKET /ws/notifications";

export const endpoint: Endpoint = {
  key: KEY,
  schemas: {},
  lambda(route) {
    if (routeKey(route) !== KEY) throw new Error(`endpoint for '${KEY}' was given the row of '${routeKey(route)}'`);
    return websocketHandler("notifications") as unknown as LambdaHandler;
  },
};
