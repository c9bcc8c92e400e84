/**
 * Local API Gateway for the WebSocket rows of the route table: the local API server's HTTP server
 * upgrades their paths (`/cloud-integration/security/events`, `/ws/logs`, `/ws/notifications`)
 * with `ws`, and runs what API Gateway runs: the REQUEST authorizer (functions/realtime/authorize.ts),
 * then the row's handler with `$connect`, `$default` for each client frame, `$disconnect` when
 * the socket closes. The `@connections` management API is emulated on the same server
 * (`POST|GET|DELETE /<stage>/@connections/<id>`), so the fan-out's ApiGatewayManagementApi client
 * posts here unchanged.
 *
 * What API Gateway does and this does too: a refused authorizer answers the handshake 401/403; a
 * `$connect` that fails refuses the handshake. Beyond it: back-pressure — a client that does not
 * read, whose unsent data passes `maxBufferedBytes`, is closed with 1013 ("slow consumer") and the
 * post that found it so answers 410 Gone (the fan-out then forgets the connection); nothing is
 * buffered without bound. Heartbeats: a ping every `heartbeatMs`; a client that has not answered
 * the previous one is terminated. (In AWS, API Gateway closes a connection idle for 10 minutes and
 * any connection after 2 hours; clients keep alive with `{"action":"ping"}`.)
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { join } from "node:path";
import type { Duplex } from "node:stream";
import { pathToFileURL } from "node:url";
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from "aws-lambda";
import { type WebSocket, WebSocketServer } from "ws";
import type { RouteDef } from "#shared/kit/route.ts";
import type { WebSocketEvent, WebSocketHandler } from "#shared/realtime/handler.ts";
import { routeHandlers } from "./route-handlers.ts";

/** The close code a slow consumer gets (RFC 6455 1013: try again later). */
export const SLOW_CONSUMER_CLOSE = 1013;
const STAGE = "local";
const SUBPROTOCOL = "warden";

interface Conn {
  id: string;
  route: RouteDef;
  ws?: WebSocket;
  /** Frames posted between `$connect` and the end of the handshake. */
  early: Buffer[];
  connectedAt: Date;
  lastActiveAt: Date;
  sourceIp: string;
  alive: boolean;
  authorizer: Record<string, unknown>;
  host: string;
}

export interface LocalWebSockets {
  /** Upgrades the WebSocket rows' paths on this server; other upgrade requests are refused. */
  attach(server: Server): void;
  /** The `@connections` emulator; true when it answered the request. */
  handleRequest(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  /** Open sockets (after their handshake). */
  size(): number;
  close(): Promise<void>;
}

/** Connection ids look like API Gateway's (base64-ish, 16 characters, ending in "="). */
const newConnectionId = () => `${randomBytes(11).toString("base64").replace(/[+/]/g, "A").slice(0, 15)}=`;

export function localWebSockets(opts: {
  routes: RouteDef[];
  root: string;
  maxBufferedBytes?: number;
  heartbeatMs?: number;
  onError?: (e: Error) => void;
}): LocalWebSockets {
  const socketRoutes = opts.routes.filter((r) => r.method === "WEBSOCKET");
  const maxBuffered = opts.maxBufferedBytes ?? 1024 * 1024;
  const load = routeHandlers(opts.root);
  const conns = new Map<string, Conn>();
  const report = opts.onError ?? ((e: Error) => process.stderr.write(`local websocket: ${e.stack ?? e.message}\n`));
  let authorizer: Promise<(e: APIGatewayRequestAuthorizerEvent) => Promise<APIGatewayAuthorizerResult>> | undefined;
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 64 * 1024,
    handleProtocols: (offered) => (offered.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
  });

  const handlerOf = async (route: RouteDef) => (await load(route)) as unknown as WebSocketHandler;

  function event(
    c: Conn,
    routeKey: string,
    eventType: "CONNECT" | "MESSAGE" | "DISCONNECT",
    body?: string,
  ): WebSocketEvent {
    const now = Date.now();
    return {
      requestContext: {
        routeKey,
        eventType,
        messageId: eventType === "MESSAGE" ? randomBytes(8).toString("hex") : undefined,
        extendedRequestId: randomBytes(8).toString("hex"),
        requestTime: new Date(now).toUTCString(),
        messageDirection: "IN",
        stage: STAGE,
        connectedAt: c.connectedAt.getTime(),
        requestTimeEpoch: now,
        requestId: randomBytes(8).toString("hex"),
        domainName: c.host,
        connectionId: c.id,
        apiId: "local",
        authorizer: c.authorizer as WebSocketEvent["requestContext"]["authorizer"],
      } as WebSocketEvent["requestContext"],
      body,
      isBase64Encoded: false,
    };
  }

  const refuse = (socket: Duplex, status: number, text: string) => {
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  };

  async function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer) {
    const url = new URL(req.url ?? "/", "http://localhost");
    const route = socketRoutes.find((r) => r.path === url.pathname);
    if (!route) return refuse(socket, 404, "Not Found");
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers[k] = v;
    const query = Object.fromEntries(url.searchParams);
    const sourceIp = req.socket.remoteAddress?.replace(/^::ffff:/, "") ?? "127.0.0.1";
    const c: Conn = {
      id: newConnectionId(),
      route,
      early: [],
      connectedAt: new Date(),
      lastActiveAt: new Date(),
      sourceIp,
      alive: true,
      authorizer: {},
      host: headers.host ?? "127.0.0.1",
    };
    authorizer ??= import(pathToFileURL(join(opts.root, "functions/realtime/authorize.ts")).href).then(
      (m: { handler: (e: APIGatewayRequestAuthorizerEvent) => Promise<APIGatewayAuthorizerResult> }) => m.handler,
    );
    let decision: APIGatewayAuthorizerResult;
    try {
      decision = await (await authorizer)({
        type: "REQUEST",
        methodArn: `arn:aws:execute-api:local:000000000000:local/${STAGE}/$connect`,
        resource: "$connect",
        path: url.pathname,
        httpMethod: "GET",
        headers,
        multiValueHeaders: {},
        pathParameters: {},
        queryStringParameters: query,
        multiValueQueryStringParameters: {},
        stageVariables: {},
        requestContext: {
          identity: { sourceIp },
          connectionId: c.id,
          routeKey: "$connect",
          eventType: "CONNECT",
          stage: STAGE,
          domainName: c.host,
          apiId: "local",
        } as unknown as APIGatewayRequestAuthorizerEvent["requestContext"],
      });
    } catch (e) {
      if ((e as Error).message === "Unauthorized") return refuse(socket, 401, "Unauthorized");
      report(e as Error);
      return refuse(socket, 500, "Internal Server Error");
    }
    if (decision.policyDocument.Statement.some((s) => (s as { Effect: string }).Effect !== "Allow")) {
      return refuse(socket, 403, "Forbidden");
    }
    c.authorizer = { ...decision.context, principalId: decision.principalId };
    // Registered before $connect stores the connection, so a post that races the handshake is kept.
    conns.set(c.id, c);
    const handler = await handlerOf(route);
    try {
      const res = await handler({ ...event(c, "$connect", "CONNECT"), headers });
      const status = typeof res === "object" ? (res.statusCode ?? 200) : 200;
      if (status !== 200) {
        conns.delete(c.id);
        return refuse(socket, status, status === 403 ? "Forbidden" : status === 401 ? "Unauthorized" : "Refused");
      }
    } catch (e) {
      conns.delete(c.id);
      report(e as Error);
      return refuse(socket, 500, "Internal Server Error");
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      c.ws = ws;
      for (const frame of c.early.splice(0)) ws.send(frame.toString("utf8"));
      ws.on("pong", () => {
        c.alive = true;
      });
      ws.on("message", (data) => {
        c.lastActiveAt = new Date();
        const body = Buffer.isBuffer(data) ? data.toString("utf8") : String(data);
        handler(event(c, "$default", "MESSAGE", body)).catch(report);
      });
      ws.on("error", () => undefined);
      ws.on("close", () => {
        conns.delete(c.id);
        handler(event(c, "$disconnect", "DISCONNECT")).catch(report);
      });
    });
  }

  const heartbeat = setInterval(() => {
    for (const c of conns.values()) {
      if (!c.ws) continue;
      if (!c.alive) {
        c.ws.terminate();
        continue;
      }
      c.alive = false;
      c.ws.ping();
    }
  }, opts.heartbeatMs ?? 30_000);
  heartbeat.unref();

  /** What API Gateway's management API answers for an unknown connection. */
  const gone = (res: ServerResponse): true => {
    res.writeHead(410, { "Content-Type": "application/json", "x-amzn-ErrorType": "GoneException" });
    res.end(JSON.stringify({ message: "Gone" }));
    return true;
  };

  return {
    attach(server) {
      server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
        socket.on("error", () => undefined);
        upgrade(req, socket, head).catch((e: Error) => {
          report(e);
          refuse(socket, 500, "Internal Server Error");
        });
      });
    },
    async handleRequest(req, res) {
      const m = (req.url ?? "").match(/^\/local\/@connections\/([^/?]+)$/);
      if (!m?.[1]) return false;
      const c = conns.get(decodeURIComponent(m[1]));
      if (req.method === "POST") {
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(chunk as Buffer);
        const data = Buffer.concat(chunks);
        if (!c) return gone(res);
        if (!c.ws) {
          if (c.early.reduce((n, b) => n + b.length, 0) + data.length > maxBuffered) return gone(res);
          c.early.push(data);
        } else if (c.ws.bufferedAmount + data.length > maxBuffered) {
          // A slow consumer: drop it (its unsent frames and the close frame stay bounded by the limit).
          conns.delete(c.id);
          c.ws.close(SLOW_CONSUMER_CLOSE, "slow consumer: too much unread data");
          setTimeout(() => c.ws?.terminate(), 10_000).unref();
          return gone(res);
        } else c.ws.send(data.toString("utf8"));
        res.writeHead(200).end();
        return true;
      }
      if (!c) return gone(res);
      if (req.method === "DELETE") {
        conns.delete(c.id);
        c.ws?.close(1000, "closed by the server");
        res.writeHead(204).end();
        return true;
      }
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(
        JSON.stringify({
          ConnectedAt: c.connectedAt.toISOString(),
          LastActiveAt: c.lastActiveAt.toISOString(),
          Identity: { SourceIp: c.sourceIp, UserAgent: "" },
        }),
      );
      return true;
    },
    size: () => [...conns.values()].filter((c) => c.ws).length,
    async close() {
      clearInterval(heartbeat);
      for (const c of conns.values()) c.ws?.terminate();
      conns.clear();
      await new Promise<void>((r) => wss.close(() => r()));
    },
  };
}
