/** WEBSOCKET notifications: `$connect` / `$default` / `$disconnect` of the notifications stream (shared/realtime). */
import { websocketEndpoint } from "#shared/realtime/handler.ts";

export const endpoint = websocketEndpoint("notifications");
