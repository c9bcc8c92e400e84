/**
 * Local API Gateway: serves the route table over HTTP by turning each request into an API Gateway
 * v2 (payload 2.0) event and invoking the same handler module the Lambda runs. Beside the routes:
 * GET /openapi.json (the generated document), GET /docs (Swagger UI from node_modules, no CDN),
 * GET /health; an unknown path answers 404 in its surface's envelope with a hint to /docs; one
 * access-log line per request.
 */
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createRequire } from "node:module";
import { dirname, extname, join } from "node:path";
import type { APIGatewayProxyEventV2, Context } from "aws-lambda";
import { CONTEXT_TENANT } from "#shared/kit/endpoint.ts";
import { renderError, type Surface } from "#shared/kit/envelopes.ts";
import { AppError } from "#shared/kit/errors.ts";
import { SECURITY_HEADERS } from "#shared/kit/headers.ts";
import type { RouteDef } from "#shared/kit/route.ts";
import { routeHandlers } from "./route-handlers.ts";
import type { LocalWebSockets } from "./websocket-server.ts";

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

/** One line per answered request: what the access log prints (never a header, body or credential). */
export interface AccessLogEntry {
  method: string;
  path: string;
  status: number;
  ms: number;
  tenant?: string;
  requestId?: string;
}

export function formatAccessLog(e: AccessLogEntry): string {
  return `${new Date().toISOString()} ${e.method} ${e.path} ${e.status} ${e.ms.toFixed(0)}ms tenant=${e.tenant ?? "-"} request_id=${e.requestId ?? "-"}`;
}

export interface HealthCheck {
  status: "ok" | "unavailable" | "not_configured";
  detail?: string;
}

/**
 * The surface an unrouted path belongs to: that of the route sharing the longest leading path with
 * it (`/api/v1/…` cloudsentinel, `/api/…` securenet, `/cloud-integration/…` gateway), so a 404 is in
 * the envelope the caller's client parses.
 */
export function surfaceOf(routes: RouteDef[], path: string): Surface {
  const segs = path.split("/");
  let best: { surface: Surface; score: number } = { surface: "gateway", score: 0 };
  for (const r of routes) {
    const rs = r.path.split("/");
    let n = 0;
    while (n < segs.length && n < rs.length && segs[n] === rs[n]) n++;
    if (n > best.score) best = { surface: r.surface, score: n };
  }
  return best.score > 1 ? best.surface : "gateway";
}

/** The surface's error body with a hint beside the message (inside `error` on securenet). */
export function errorWithHint(surface: Surface, error: AppError, requestId: string, hint: string): unknown {
  const body = renderError(surface, error, requestId).body as Record<string, unknown>;
  if (surface === "securenet") {
    return { ...body, error: { ...(body.error as Record<string, unknown>), hint } };
  }
  return { ...body, hint };
}

const DOCS_ASSETS = new Set([
  "swagger-ui.css",
  "swagger-ui-bundle.js",
  "swagger-ui-standalone-preset.js",
  "favicon-32x32.png",
]);

/** The docs page: Swagger UI from node_modules (swagger-ui-dist), no CDN, reading /openapi.json. */
function docsPage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Warden API</title>
<link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png">
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/docs-init.js"></script>
</body>
</html>
`;
}

const DOCS_INIT = `window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true, persistAuthorization: true, filter: true });\n`;

const CONTENT_TYPES: Record<string, string> = {
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".png": "image/png",
};

export async function startApiServer(opts: {
  routes: RouteDef[];
  root: string;
  port: number;
  host?: string;
  /** The OpenAPI document served at GET /openapi.json (built once, on first use). */
  openapi?: () => Promise<unknown>;
  /** Liveness of what the API depends on, for GET /health. */
  health?: () => Promise<Record<string, HealthCheck>>;
  /** Receives one line per request (the access log). */
  accessLog?: (line: string) => void;
  /** The WebSocket rows' upgrades and the `@connections` emulator (infra/local/websocket-server.ts). */
  websockets?: LocalWebSockets;
}): Promise<LocalApi> {
  const compiled = compileRoutes(opts.routes);
  const load = routeHandlers(opts.root);
  const uiDir = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
  let document: Promise<unknown> | undefined;
  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { ...SECURITY_HEADERS, "Content-Type": "application/json; charset=utf-8", ...headers });
    res.end(JSON.stringify(body));
  };
  /** The platform's own pages: /openapi.json, /docs, /health. True when it answered. */
  const own = async (req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> => {
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    if (path === "/openapi.json" && opts.openapi) {
      document ??= opts.openapi();
      send(res, 200, await document, { "Cache-Control": "no-cache" });
      return true;
    }
    if (path === "/docs" || path === "/docs/") {
      // Swagger UI needs inline styles; scripts come only from this origin.
      res.writeHead(200, {
        ...SECURITY_HEADERS,
        "Content-Type": "text/html; charset=utf-8",
        "Content-Security-Policy":
          "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'",
      });
      res.end(docsPage());
      return true;
    }
    if (path === "/docs/assets/docs-init.js") {
      res.writeHead(200, { "Content-Type": CONTENT_TYPES[".js"] ?? "" });
      res.end(DOCS_INIT);
      return true;
    }
    const asset = path.match(/^\/docs\/assets\/([\w.-]+)$/)?.[1];
    if (asset && DOCS_ASSETS.has(asset)) {
      res.writeHead(200, {
        "Content-Type": CONTENT_TYPES[extname(asset)] ?? "application/octet-stream",
        "Cache-Control": "public, max-age=3600",
      });
      res.end(await readFile(join(uiDir, asset)));
      return true;
    }
    if (path === "/health" && opts.health) {
      const checks = await opts.health();
      const ok = Object.values(checks).every((c) => c.status !== "unavailable");
      send(res, ok ? 200 : 503, { status: ok ? "ok" : "unavailable", checks }, { "Cache-Control": "no-store" });
      return true;
    }
    return false;
  };
  const server = createServer(async (req, res) => {
    // The `@connections` emulator: the platform's own fan-out posting to sockets, not an API request (not logged).
    if (opts.websockets && (await opts.websockets.handleRequest(req, res).catch(() => false))) return;
    const started = performance.now();
    const url = new URL(req.url ?? "/", "http://localhost");
    const entry: AccessLogEntry = { method: req.method ?? "GET", path: url.pathname, status: 0, ms: 0 };
    res.once("finish", () => {
      entry.status = res.statusCode;
      entry.ms = performance.now() - started;
      opts.accessLog?.(formatAccessLog(entry));
    });
    try {
      if (await own(req, res, url.pathname)) return;
      const found = matchRoute(compiled, req.method ?? "GET", url.pathname);
      if (found === undefined || found === "method-not-allowed") {
        const requestId = randomUUID();
        const surface = surfaceOf(opts.routes, url.pathname);
        const allowed = opts.routes.filter((r) => compiled.find((c) => c.route === r)?.pattern.test(url.pathname));
        const error =
          found === undefined
            ? new AppError(404, "RESOURCE_NOT_FOUND", `No route ${req.method} ${url.pathname}`)
            : new AppError(405, "METHOD_NOT_ALLOWED", `${url.pathname} does not answer ${req.method}`);
        const hint =
          found === undefined
            ? "Every route, with its request and response schemas, is listed at /docs (and /openapi.json)"
            : `Allowed: ${allowed.map((r) => r.method).join(", ")}; see /docs`;
        entry.requestId = requestId;
        return send(res, error.statusCode, errorWithHint(surface, error, requestId, hint), {
          "X-Request-Id": requestId,
          ...(found === "method-not-allowed" ? { Allow: allowed.map((r) => r.method).join(", ") } : {}),
        });
      }
      const body = await readBody(req);
      const handler = await load(found.route);
      const context = lambdaContext(found.route);
      const event = toEvent(req, body, found.route, found.pathParameters);
      entry.requestId = event.requestContext.requestId;
      const result = await handler(event, context);
      entry.tenant = (context as unknown as Record<string, unknown>)[CONTEXT_TENANT] as string | undefined;
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
  opts.websockets?.attach(server);
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
    close: async () => {
      await opts.websockets?.close();
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}
