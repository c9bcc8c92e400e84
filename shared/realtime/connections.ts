/**
 * The life of a connection — `$connect` (after the authorizer), client messages (`$default`),
 * `$disconnect` — and the fan-out of realtime events to the connections of their tenant.
 *
 * Fan-out reads the tenant's connections with one Query per tenant per batch and posts each
 * event to the connections of its stream whose filters pass it, through the `@connections` API. A
 * 410 Gone (the client left without `$disconnect` reaching us, or the local server dropped a slow
 * client) deletes the connection; any other failure is logged and the batch goes on, so one bad
 * connection never holds back the others or the stream.
 */
import { isAppError } from "#shared/kit/errors.ts";
import { log } from "#shared/kit/log.ts";
import { closeConnection, type PostOutcome, postToConnection } from "./adapters/management-api.ts";
import type { ConnectionContext } from "./authorize.ts";
import {
  type Connection,
  deleteConnection,
  putConnection,
  setConnectionFilters,
  tenantConnections,
} from "./db/connections.ts";
import { type RealtimeEvent, serverMessage } from "./messages.ts";
import type { StreamName } from "./streams.ts";
import { parseClientMessage, passes } from "./subscribe.ts";

export type { Connection } from "./db/connections.ts";
export { tenantConnections } from "./db/connections.ts";

/** The fan-out port: post one frame to one connection. Tests swap it; the default is the `@connections` API. */
export type Poster = (endpoint: string, connectionId: string, data: string) => Promise<PostOutcome>;
let poster: Poster = postToConnection;
export function usePoster(p: Poster | undefined): void {
  poster = p ?? postToConnection;
}

/** The `@connections` endpoint of an API Gateway WebSocket stage (or of the local server). */
export function callbackEndpoint(domainName: string, stage: string): string {
  const local = /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/.test(domainName);
  return `${local ? "http" : "https"}://${domainName}${stage ? `/${stage}` : ""}`;
}

export async function openConnection(
  stream: StreamName,
  ctx: ConnectionContext,
  connectionId: string,
  endpoint: string,
): Promise<void> {
  await putConnection({
    connectionId,
    tenantId: ctx.tenantId,
    stream,
    userId: ctx.userId,
    username: ctx.username,
    apiKeyId: ctx.apiKeyId || null,
    recipients: ctx.recipients ? ctx.recipients.split(",") : [],
    endpoint,
    filters: { types: [], gateway_id: null, level: null },
    connectedAt: new Date().toISOString(),
  });
}

export async function closedConnection(tenantId: string, connectionId: string): Promise<void> {
  await deleteConnection(tenantId, connectionId);
}

/**
 * One client frame: `subscribe` sets the filters and is acknowledged with
 * `{"type":"subscribed","filters":…}`; `ping` is answered `{"type":"pong"}`; anything else gets
 * `{"type":"error","message":…}` and the connection stays open.
 */
export async function clientMessage(
  stream: StreamName,
  tenantId: string,
  connectionId: string,
  endpoint: string,
  raw: string,
): Promise<void> {
  let reply: Record<string, unknown>;
  try {
    const m = parseClientMessage(stream, raw);
    if (m.action === "ping") reply = { type: "pong", timestamp: new Date().toISOString() };
    else {
      const ok = await setConnectionFilters(tenantId, connectionId, m.filters);
      if (!ok) return; // gone meanwhile: nobody to answer
      reply = { type: "subscribed", filters: m.filters };
    }
  } catch (e) {
    if (!isAppError(e)) throw e;
    reply = { type: "error", message: e.message };
  }
  const outcome = await poster(endpoint, connectionId, JSON.stringify(reply));
  if (outcome === "gone") await deleteConnection(tenantId, connectionId);
}

function wants(c: Connection, e: RealtimeEvent): boolean {
  if (c.stream !== e.stream || c.tenantId !== e.tenantId) return false;
  if (e.stream === "notifications" && (!e.recipient || !c.recipients.includes(e.recipient))) return false;
  return passes(c.filters, e);
}

export interface FanOutReport {
  events: number;
  sent: number;
  gone: number;
  failed: number;
}

/** Posts each event to every connection of its tenant and stream that wants it. */
export async function fanOut(events: RealtimeEvent[]): Promise<FanOutReport> {
  const report: FanOutReport = { events: events.length, sent: 0, gone: 0, failed: 0 };
  const byTenant = new Map<string, RealtimeEvent[]>();
  for (const e of events) byTenant.set(e.tenantId, [...(byTenant.get(e.tenantId) ?? []), e]);
  await Promise.all(
    [...byTenant].map(async ([tenantId, tenantEvents]) => {
      const connections = await tenantConnections(tenantId);
      if (connections.length === 0) return;
      const dead = new Set<string>();
      // In order per connection (a client sees its events in the order they happened), connections in parallel.
      await Promise.all(
        connections.map(async (c) => {
          for (const e of tenantEvents) {
            if (dead.has(c.connectionId) || !wants(c, e)) continue;
            try {
              const outcome = await poster(c.endpoint, c.connectionId, JSON.stringify(serverMessage(e)));
              if (outcome === "sent") report.sent += 1;
              else {
                report.gone += 1;
                dead.add(c.connectionId);
                await deleteConnection(tenantId, c.connectionId);
              }
            } catch (err) {
              report.failed += 1;
              log.warn("realtime: post to connection failed", { tenantId, connectionId: c.connectionId, error: err });
            }
          }
        }),
      );
    }),
  );
  return report;
}

/** Closes a connection from the server (e.g. the client broke the protocol); forgets it either way. */
export async function dropConnection(c: Pick<Connection, "tenantId" | "connectionId" | "endpoint">): Promise<void> {
  await closeConnection(c.endpoint, c.connectionId).catch(() => undefined);
  await deleteConnection(c.tenantId, c.connectionId);
}
