/**
 * Local API Gateway: serves the route table over HTTP by turning each request into an API Gateway
 * v2 (payload 2.0) event and invoking the same handler module the Lambda runs.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { APIGatewayProxyEventV2, Context } from "aws-lambda";
import type { RouteDef } from "#shared/kit/route.ts";
import { routeHandlers } from "./route-handlers.ts";

interface CompiledRoute {
  route: RouteDef;
  pattern: RegExp;
  params: string[];
}

export function compileRoutes(routes: RouteDef[]): CompiledRoute[] {
  return (
    routes
      .filter((r) => r.method !== "WEBSOCKET")
      .map((route) => {
        const params: string[] = [];
        const source = route.path
          .split("/")
          .map((seg) => {
            const m = seg.match(/^\{(\w+)(\+?)\}$/);
            if (!m?.[1]) return seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
            params.push(m[1]);
            return m[2] ? "(.+)" : "([^/]+)";
          })
          .join("/");
        // The GRC spec (Django REST) writes its paths with a trailing slash and clients send either
        // form; API Gateway drops the slash (infra/stacks/routes-stack.ts apiGatewayPath), so a row
        // ending in "/" answers with and without it here too.
        const body = source.length > 1 && source.endsWith("/") ? `${source.slice(0, -1)}/?` : source;
        return { route, pattern: new RegExp(`^${body}$`), params };
      })
      // Literal segments win over parameters: /users/create before /users/{user_id}.
      .sort((a, b) => a.params.length - b.params.length)
  );
}

export function matchRoute(compiled: CompiledRoute[], method: string, path: string) {
  let pathMatched = false;
  for (const c of compiled) {
    const m = c.pattern.exec(path);
    if (!m) continue;
    pathMatched = true;
    if (c.route.method !== method) continue;
    const pathParameters: Record<string, string> = {};
    c.params.forEach((p, i) => {
      try {
        pathParameters[p] = decodeURIComponent(m[i + 1] ?? "");
      } catch {
        // A malformed percent-escape: API Gateway refuses such a path with 400 before any function runs.
        throw Object.assign(new Error("Malformed path"), { statusCode: 400 });
      }
    });
    return { route: c.route, pathParameters };
  }
  return pathMatched ? "method-not-allowed" : undefined;
}

const TEXTUAL = /^(application\/(json|[\w.+-]+\+json|x-www-form-urlencoded|xml)|text\/)/i;

function readBody(req: IncomingMessage, limit = 10 * 1024 * 1024): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(Object.assign(new Error("Request body too large"), { statusCode: 413 }));
        req.destroy();
      } else chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

export function toEvent(
  req: IncomingMessage,
  body: Buffer,
  route: RouteDef,
  pathParameters: Record<string, string>,
): APIGatewayProxyEventV2 {
  const url = new URL(req.url ?? "/", "http://localhost");
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(",") : v;
  }
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = k in query ? `${query[k]},${v}` : v;
  const textual = TEXTUAL.test(headers["content-type"] ?? "application/json");
  const now = Date.now();
  const routeKey = `${route.method} ${route.path}`;
  return {
    version: "2.0",
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    queryStringParameters: Object.keys(query).length ? query : undefined,
    pathParameters: Object.keys(pathParameters).length ? pathParameters : undefined,
    requestContext: {
      accountId: "000000000000",
      apiId: "local",
      domainName: headers.host ?? "localhost",
      domainPrefix: "local",
      http: {
        method: req.method ?? "GET",
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress?.replace(/^::ffff:/, "") ?? "127.0.0.1",
        userAgent: headers["user-agent"] ?? "",
      },
      requestId: randomUUID(),
      routeKey,
      stage: "$default",
      time: new Date(now).toUTCString(),
      timeEpoch: now,
    },
    body: body.length ? (textual ? body.toString("utf8") : body.toString("base64")) : undefined,
    isBase64Encoded: body.length > 0 && !textual,
  };
}

export function lambdaContext(route: RouteDef): Context {
  const deadline = Date.now() + 29_000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: route.handler,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${route.handler}`,
    memoryLimitInMB: "1024",
    awsRequestId: randomUUID(),
    logGroupName: "local",
    logStreamName: "local",
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export interface LocalApi {
  server: Server;
  url: string;
  close(): Promise<void>;
}

export async function startApiServer(opts: {
  routes: RouteDef[];
  root: string;
  port: number;
  host?: string;
}): Promise<LocalApi> {
  const compiled = compileRoutes(opts.routes);
  const load = routeHandlers(opts.root);
  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "Content-Type": "application/json; charset=utf-8" });
    res.end(JSON.stringify(body));
  };
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? "/", "http://localhost");
      const found = matchRoute(compiled, req.method ?? "GET", url.pathname);
      if (found === undefined) return send(res, 404, { message: "Not Found" });
      if (found === "method-not-allowed") return send(res, 405, { message: "Method Not Allowed" });
      const body = await readBody(req);
      const handler = await load(found.route);
      const result = await handler(toEvent(req, body, found.route, found.pathParameters), lambdaContext(found.route));
      const headers: Record<string, string | number | boolean> = { ...(result.headers ?? {}) };
      res.writeHead(result.statusCode ?? 200, headers as Record<string, string>);
      res.end(result.body ? Buffer.from(result.body, result.isBase64Encoded ? "base64" : "utf8") : undefined);
    } catch (e) {
      const status = (e as { statusCode?: number }).statusCode ?? 500;
      // As API Gateway does when an integration fails: no internals in the answer.
      if (!res.headersSent)
        send(res, status, {
          message:
            status === 413 ? "Request Entity Too Large" : status === 400 ? "Bad Request" : "Internal Server Error",
        });
      if (status >= 500) process.stderr.write(`local api: ${(e as Error).stack ?? e}\n`);
    }
  });
  const host = opts.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, host, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : opts.port;
  return {
    server,
    url: `http://${host}:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
