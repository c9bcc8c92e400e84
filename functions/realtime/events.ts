/** WEBSOCKET events: `$connect` / `$default` / `$disconnect` of the events stream (shared/realtime). */
import { websocketEndpoint } from "#shared/realtime/handler.ts";

export const endpoint = websocketEndpoint("events");
