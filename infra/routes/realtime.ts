/**
 * The WebSocket streams (shared/realtime/streams.ts): one row each, method "WEBSOCKET". In AWS
 * each is its own API Gateway WebSocket API (infra/stacks/realtime-stack.ts) whose `$connect`,
 * `$default` and `$disconnect` routes invoke the row's function; locally the API server upgrades
 * the same paths (infra/local/websocket-server.ts). The rows' permissions are what the authorizer
 * checks; these rows are not HTTP operations (the OpenAPI document and the HTTP matrices skip them).
 */
import { rows } from "#shared/kit/route.ts";
import { STREAMS } from "#shared/realtime/streams.ts";

const gateway = rows({ surface: "gateway" });
const securenet = rows({ surface: "securenet" });

export const realtimeRoutes = [
  gateway({
    method: "WEBSOCKET",
    path: STREAMS.events.path,
    handler: "functions/realtime/events.ts",
    permission: STREAMS.events.permission,
    access: { table: "RW" },
  }),
  securenet({
    method: "WEBSOCKET",
    path: STREAMS.logs.path,
    handler: "functions/realtime/logs.ts",
    permission: STREAMS.logs.permission,
    access: { table: "RW" },
  }),
  securenet({
    method: "WEBSOCKET",
    path: STREAMS.notifications.path,
    handler: "functions/realtime/notifications.ts",
    permission: STREAMS.notifications.permission,
    access: { table: "RW" },
  }),
];
