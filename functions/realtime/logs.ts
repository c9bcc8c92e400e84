/** WEBSOCKET logs: `$connect` / `$default` / `$disconnect` of the logs stream (shared/realtime). */
import { websocketEndpoint } from "#shared/realtime/handler.ts";

export const endpoint = websocketEndpoint("logs");
