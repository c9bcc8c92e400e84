/**
 * The OpenAPI 3.1 document of the route table, generated from the same zod schemas the handlers
 * validate with (request: path, query, body) and the response schemas their answers are checked
 * against in the tests. Per operation: the row's permission (`x-warden-permission`, and in the
 * description), rate class, audit event, the surface's error envelope for every error the pipeline
 * can answer, and the security schemes (bearer JWT, `X-API-Key`, or `Authorization: Bearer sk_…`).
 *
 * Used by `npm run openapi` (tools/openapi.ts writes openapi.json), by the local server
 * (`GET /openapi.json`, `/docs`) and by the tests. Never imported by a function: it loads every
 * endpoint module, and the document must stay out of the function bundles.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type * as z from "zod/mini";
import {
  createDocument,
  type ZodOpenApiOperationObject,
  type ZodOpenApiPathsObject,
  type ZodOpenApiResponsesObject,
} from "zod-openapi";
import { loadEndpoint } from "#infra/local/route-handlers.ts";
import type { Endpoint } from "#shared/kit/endpoint.ts";
import { ERROR_BODIES, securenetSuccess } from "#shared/kit/error-schemas.ts";
import { type RouteDef, routeKey } from "#shared/kit/route.ts";
import { RATE_CLASSES } from "#shared/tenancy/rate-limit.ts";

type Schema = z.core.$ZodType;

export interface OpenApiOptions {
  /** Repository root (where the handler modules live). */
  root: string;
  /** Base URL of the API (`servers[0]`); omitted when not known. */
  serverUrl?: string;
  version?: string;
}

const SURFACE_TAG: Record<RouteDef["surface"], string> = {
  gateway: "Gateway security",
  securenet: "SecureNet",
  cloudsentinel: "CloudSentinel",
  grc: "GRC",
  platform: "Platform",
};

/** The first sentence of the handler module's leading doc comment, without a leading "METHOD /path —". */
function moduleSummary(root: string, handler: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(join(root, handler), "utf8");
  } catch {
    return undefined;
  }
  const doc = text.match(/^\s*\/\*\*([\s\S]*?)\*\//)?.[1];
  if (!doc) return undefined;
  const flat = doc
    .split("\n")
    .map((l) => l.replace(/^\s*\*\s?/, "").trim())
    .join(" ")
    .trim();
  const body = flat.replace(/^(GET|POST|PUT|PATCH|DELETE)\s+\S+\s*(\([^)]*\)\s*)?[—-]+\s*/, "");
  const first = body.split(/(?<=[.;:])\s/)[0]?.replace(/[.;:]$/, "");
  if (!first) return undefined;
  return first.charAt(0).toUpperCase() + first.slice(1);
}

const METHOD_PATH = /(?:\.\. http:(get|post|put|patch|delete)::\s+|\b(GET|POST|PUT|PATCH|DELETE)\s+)(\/[^\s*`?]*)/i;

/**
 * "METHOD /path" → the spec's name for the endpoint ("Create User"), read from docs/spec/: the
 * heading above the line that first names the method and path (rst `.. http:post:: /path` or
 * Markdown `**POST /path**`, `### POST /path`, a fenced `GET /path`). Where the heading is the
 * method and path itself, the first line of prose below it.
 */
export function specTitles(specDir: string): Map<string, string> {
  const titles = new Map<string, string>();
  let files: string[];
  try {
    files = readdirSync(specDir).filter((f) => /\.(md|rst)$/.test(f));
  } catch {
    return titles;
  }
  for (const file of files) {
    const lines = readFileSync(join(specDir, file), "utf8").split("\n");
    let heading = "";
    let pending: string | undefined;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i] ?? "";
      const md = line.match(/^#{2,5}\s+(.*)$/)?.[1];
      const rst = /^[~=^-]{3,}\s*$/.test(lines[i + 1] ?? "") && line.trim() && !/^[~=^-]+$/.test(line.trim());
      if (md !== undefined || rst) {
        heading = (md ?? line).trim();
        pending = undefined;
        const own = heading.match(METHOD_PATH);
        if (own) {
          pending = `${(own[1] ?? own[2] ?? "").toUpperCase()} ${own[3]}`;
          heading = "";
        }
        continue;
      }
      if (pending && line.trim() && !line.startsWith("`") && !line.startsWith("*") && !line.startsWith("|")) {
        if (!titles.has(pending)) titles.set(pending, line.trim().replace(/\.$/, ""));
        pending = undefined;
        continue;
      }
      const m = line.match(METHOD_PATH);
      if (!m || !heading) continue;
      const key = `${(m[1] ?? m[2] ?? "").toUpperCase()} ${m[3]}`;
      if (!titles.has(key)) titles.set(key, heading);
    }
  }
  return titles;
}

/** The spec's title of the route. */
function specTitle(titles: Map<string, string>, route: RouteDef): string | undefined {
  const exact = titles.get(routeKey(route));
  if (exact) return exact;
  // The CloudSentinel spec writes paths under its base URL, /api/v1.
  return route.path.startsWith("/api/v1/") ? titles.get(`${route.method} ${route.path.slice(7)}`) : undefined;
}

/** The spec's name, else the handler's doc comment, else the audit event, else one made of the handler's path. */
function summaryOf(root: string, titles: Map<string, string>, route: RouteDef): string {
  const fromSpec = specTitle(titles, route);
  if (fromSpec) return fromSpec;
  const fromModule = moduleSummary(root, route.handler);
  if (fromModule) return fromModule;
  if (route.audit) return route.audit.event;
  const words = route.handler
    .replace(/\.ts$/, "")
    .split("/")
    .slice(2)
    .map((p) => p.replace(/-/g, " "));
  const text = words.join(": ");
  return `${route.method === "GET" ? "Read " : ""}${text}`.replace(/^./, (c) => c.toUpperCase());
}

function describe(route: RouteDef): string {
  const lines: string[] = [];
  lines.push(
    route.permission === null
      ? "Public: no credentials."
      : route.permission === "authenticated"
        ? "Any signed-in caller (token or API key)."
        : `Requires the permission \`${route.permission}\` (and, for an API key, a scope that includes it).`,
  );
  const limit = RATE_CLASSES[route.rateClass];
  lines.push(
    route.rateClass === "unlimited"
      ? "Not rate limited."
      : `Rate class \`${route.rateClass}\`: ${limit} requests per minute per ${route.permission === null ? "source address" : "tenant (or API key)"}.`,
  );
  if (route.audit) lines.push(`Audited as \`${route.audit.eventType}\` (refused attempts as \`access_denied\`).`);
  if (route.allowDuringSystemLock) lines.push("Stays open during an emergency system lock.");
  return lines.join("\n\n");
}

const ERROR_TEXT: Record<number, string> = {
  400: "Invalid request: the answer names each field at fault",
  401: "Missing, expired or revoked credentials",
  403: "The caller lacks the permission (or the API key the scope), or a rule of the domain refuses",
  404: "No such object in the caller's tenant",
  409: "Conflict with the current state (reload and retry)",
  413: "Payload too large",
  415: "Unsupported Content-Type",
  422: "Invalid request (FastAPI style: `detail` lists each field at fault)",
  423: "The tenant's emergency system lock refuses this caller",
  429: "Rate limit exceeded: see Retry-After and X-RateLimit-*",
  500: "Internal error: the answer carries a request id, never internals",
};

function errorResponses(route: RouteDef, schemas: Endpoint["schemas"]): ZodOpenApiResponsesObject {
  const codes = new Set<number>([500]);
  if (schemas.body || schemas.query || schemas.path || route.body === "multipart") {
    codes.add(route.surface === "cloudsentinel" ? 422 : 400);
  }
  if (schemas.body && route.body !== "raw") codes.add(415);
  if (route.permission !== null) {
    codes.add(401);
    codes.add(403);
    codes.add(423);
  }
  if (route.rateClass !== "unlimited") codes.add(429);
  if (schemas.path) codes.add(404);
  if (route.method !== "GET") codes.add(409);
  const schema = ERROR_BODIES[route.surface];
  const out: ZodOpenApiResponsesObject = {};
  for (const code of [...codes].sort()) {
    out[`${code}` as `4${string}`] = {
      description: ERROR_TEXT[code] ?? "Error",
      content: { "application/json": { schema } },
    };
  }
  return out;
}

function successStatus(route: RouteDef): string {
  // Creations answer 201 (the handler sets it); the document says 2XX where a route can answer either.
  return route.method === "POST" ? "2XX" : "200";
}

function operation(
  root: string,
  titles: Map<string, string>,
  route: RouteDef,
  endpoint: Endpoint,
): ZodOpenApiOperationObject {
  const { schemas } = endpoint;
  const responses: ZodOpenApiResponsesObject = {};
  if (schemas.noContent) {
    responses["204"] = { description: "Done: no content" };
  } else if (schemas.produces) {
    const media = Object.entries(schemas.produces);
    responses["200"] = {
      description: `The file, in the asked format: ${media.map(([type, spec]) => `\`${type}\`: ${spec.description}`).join("; ")}`,
      content: Object.fromEntries(media.map(([type, spec]) => [type, spec.schema ? { schema: spec.schema } : {}])),
    };
  } else if (schemas.response) {
    const body = route.surface === "securenet" ? securenetSuccess(schemas.response) : schemas.response;
    responses[successStatus(route) as "200"] = {
      description: "Success",
      content: { "application/json": { schema: body } },
    };
  } else {
    responses.default = { description: "Undocumented: this route declares no response schema" };
  }
  if (schemas.redirects) {
    responses["302"] = {
      description: `Found: no body; \`Location\` is ${schemas.redirects}`,
      headers: {
        Location: { description: "Where the answer is", required: true, schema: { type: "string", format: "uri" } },
      },
    };
  }
  Object.assign(responses, errorResponses(route, schemas));

  const op: ZodOpenApiOperationObject = {
    operationId: routeKey(route)
      .replace(/[{}]/g, "")
      .replace(/[^A-Za-z0-9]+/g, "_")
      .replace(/^_|_$/g, ""),
    summary: summaryOf(root, titles, route),
    description: describe(route),
    tags: [SURFACE_TAG[route.surface]],
    security: route.permission === null ? [] : [{ bearerAuth: [] }, { apiKey: [] }],
    responses,
    "x-warden-permission": route.permission,
    "x-warden-rate-class": route.rateClass,
    ...(route.audit ? { "x-warden-audit-event": route.audit.eventType } : {}),
    ...(route.deprecated ? { deprecated: true, "x-warden-successor": route.deprecated.successor } : {}),
  } as ZodOpenApiOperationObject;
  const params: Record<string, Schema> = {};
  if (schemas.path) params.path = schemas.path;
  if (schemas.query) params.query = schemas.query;
  if (Object.keys(params).length) op.requestParams = params as ZodOpenApiOperationObject["requestParams"];
  if (route.body === "multipart") {
    op.requestBody = {
      required: true,
      content: { "multipart/form-data": schemas.body ? { schema: schemas.body } : {} },
    };
  } else if (route.body === "raw") {
    op.requestBody = { required: true, content: { "application/octet-stream": {} } };
  } else if (schemas.body) {
    op.requestBody = { required: true, content: { "application/json": { schema: schemas.body } } };
  }
  return op;
}

/** The document for `routes` (HTTP rows only; the WebSocket rows are not OpenAPI's to describe). */
export async function buildOpenApiDocument(routes: RouteDef[], opts: OpenApiOptions) {
  const paths: ZodOpenApiPathsObject = {};
  const titles = specTitles(join(opts.root, "docs", "spec"));
  for (const route of routes) {
    if (route.method === "WEBSOCKET") continue;
    const endpoint = await loadEndpoint(opts.root, route.handler);
    paths[route.path] ??= {};
    const item = paths[route.path] ?? {};
    item[route.method.toLowerCase() as "get"] = operation(opts.root, titles, route, endpoint);
  }
  return createDocument(
    {
      openapi: "3.1.0",
      info: {
        title: "Warden API",
        version: opts.version ?? "0.1.0",
        description:
          "Multi-tenant security control plane. Generated from the route table and the zod schemas the " +
          "handlers validate with (`npm run openapi`). Each operation names the permission it requires " +
          "(`x-warden-permission`) and its rate class; errors use the envelope of the operation's surface.",
      },
      ...(opts.serverUrl ? { servers: [{ url: opts.serverUrl }] } : {}),
      tags: Object.values(SURFACE_TAG).map((name) => ({ name })),
      paths,
      components: {
        securitySchemes: {
          bearerAuth: {
            type: "http",
            scheme: "bearer",
            bearerFormat: "JWT",
            description:
              "An access token from a sign-in route (ES256 JWT). An API key (`sk_…`) is also accepted here as `Authorization: Bearer sk_…`.",
          },
          apiKey: { type: "apiKey", in: "header", name: "X-API-Key", description: "An API key (`sk_…`)" },
        },
      },
    },
    { allowEmptySchema: { custom: true } },
  );
}

/** "METHOD /path" of each HTTP route of `routes` that `doc` has no operation for. */
export function missingFromDocument(doc: { paths?: Record<string, unknown> }, routes: RouteDef[]): string[] {
  return routes
    .filter((r) => r.method !== "WEBSOCKET")
    .filter((r) => {
      const item = doc.paths?.[r.path] as Record<string, unknown> | undefined;
      return !item?.[r.method.toLowerCase()];
    })
    .map(routeKey);
}

/** "METHOD /path" of each HTTP route whose endpoint declares none of `response`, `produces`, `noContent`. */
export async function routesWithoutResponseSchema(routes: RouteDef[], root: string): Promise<string[]> {
  const missing: string[] = [];
  for (const r of routes) {
    if (r.method === "WEBSOCKET") continue;
    const { schemas } = await loadEndpoint(root, r.handler);
    if (!schemas.response && !schemas.produces && !schemas.noContent) missing.push(routeKey(r));
  }
  return missing;
}

/** The TypeScript types of `doc` (openapi-typescript), for a typed client (openapi-fetch). */
export async function clientTypes(doc: unknown): Promise<string> {
  const { default: openapiTS, astToString } = await import("openapi-typescript");
  const ast = await openapiTS(structuredClone(doc) as Parameters<typeof openapiTS>[0]);
  return `${CLIENT_HEADER}${astToString(ast)}`;
}

export const CLIENT_HEADER =
  "/**\n * Generated by `npm run openapi` from the OpenAPI document (openapi-typescript): do not edit.\n" +
  " * The e2e tests call the running server through openapi-fetch with these types, so a drift between\n" +
  " * the server and the document breaks the typecheck; test/unit/openapi-client.test.ts fails when\n" +
  " * this file is older than the document.\n */\n";

/**
 * The document of the whole route table, as `npm run openapi` writes it: what GET /openapi.json
 * answers outside a bundle (local mode, tests); a bundle carries it inlined (infra/build.ts).
 */
export async function routeTableDocument(): Promise<Awaited<ReturnType<typeof buildOpenApiDocument>>> {
  const { routes } = await import("#infra/routes.ts");
  return buildOpenApiDocument(routes, { root: resolve(import.meta.dirname, "..") });
}
