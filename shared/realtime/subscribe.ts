/**
 * Client messages and the filters they set. A client sends
 * `{"action":"subscribe","types":[…],"gateway_id":…}` (and, on /ws/logs, `"level"`) to narrow what
 * it receives; `{"action":"ping"}` is answered with `{"type":"pong"}` (a keep-alive that also works
 * where the client cannot send WebSocket pings, e.g. through API Gateway). Until it subscribes, a
 * connection receives everything of its stream that its tenant produces.
 */
import * as z from "zod/mini";
import { Invalid } from "#shared/kit/errors.ts";
import type { Filters } from "./db/connections.ts";
import { EVENT_TYPES, LOG_LEVELS, LOG_TYPES, type RealtimeEvent } from "./messages.ts";
import type { StreamName } from "./streams.ts";

const Subscribe = z.strictObject({
  action: z.literal("subscribe"),
  types: z.optional(z.array(z.string()).check(z.maxLength(32))),
  gateway_id: z.optional(z.nullable(z.int().check(z.positive()))),
  level: z.optional(z.nullable(z.enum(LOG_LEVELS))),
});
const Ping = z.strictObject({ action: z.literal("ping") });

/** Client frames are small commands; anything longer is refused unread. */
export const MAX_CLIENT_MESSAGE = 4096;

export type ClientMessage = { action: "subscribe"; filters: Filters } | { action: "ping" };

/** Parses one client frame for a stream; an Invalid (400) names what is wrong. */
export function parseClientMessage(stream: StreamName, raw: string): ClientMessage {
  if (raw.length > MAX_CLIENT_MESSAGE) throw new Invalid(`message: larger than ${MAX_CLIENT_MESSAGE} bytes`);
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new Invalid("message: malformed JSON");
  }
  if (Ping.safeParse(json).success) return { action: "ping" };
  const r = Subscribe.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new Invalid(
      `message: ${issue?.path.join(".") || "action"}: ${issue?.message ?? "invalid"} (expected {"action":"subscribe",…} or {"action":"ping"})`,
    );
  }
  const known: readonly string[] = stream === "logs" ? LOG_TYPES : stream === "events" ? EVENT_TYPES : ["notification"];
  const unknown = (r.data.types ?? []).filter((t) => !known.includes(t));
  if (unknown.length) throw new Invalid(`message: types: unknown ${unknown.join(", ")} (known: ${known.join(", ")})`);
  if (stream !== "logs" && r.data.level) throw new Invalid("message: level: only /ws/logs filters by level");
  return {
    action: "subscribe",
    filters: { types: r.data.types ?? [], gateway_id: r.data.gateway_id ?? null, level: r.data.level ?? null },
  };
}

/** Whether an event of the connection's stream passes its filters. */
export function passes(filters: Filters, e: RealtimeEvent): boolean {
  if (filters.types.length > 0 && !filters.types.includes(e.type)) return false;
  if (filters.gateway_id !== null && e.gatewayId !== filters.gateway_id) return false;
  if (filters.level && e.level) {
    const wanted = LOG_LEVELS.indexOf(filters.level as (typeof LOG_LEVELS)[number]);
    if (LOG_LEVELS.indexOf(e.level) < wanted) return false;
  }
  return true;
}
