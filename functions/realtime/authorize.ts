/** The WebSocket APIs' REQUEST authorizer on `$connect` (token or API key; see shared/realtime/authorize.ts). */
export { authorizerHandler as handler } from "#shared/realtime/handler.ts";
