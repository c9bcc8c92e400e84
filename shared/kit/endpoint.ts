/**
 * The endpoint kit: every route's module is `export const endpoint = defineEndpoint(routeKey,
 * schemas, handler)`, and its Lambda handler is `endpoint.lambda(row)` for its row of the route
 * table — one middy stack in which each concern lives once, in this order:
 *   request id → security headers → JSON body → zod validation → authentication (token or API key)
 *   → revocation and system lock → permission → tenant credentials → per-tenant rate limit → handler
 *   → audit → envelope.
 * Tenant credentials: each invocation runs in a table scope; until the caller is verified the
 * function uses its own role (the pre-tenant needs), then credentials of the caller's tenant only
 * (shared/tenancy/credentials.ts), so the rate limit, the handler and the audit write of a verified
 * caller reach no other tenant's items whatever the handler does.
 * Handlers receive typed, validated input and a resolved caller; they return data or throw typed
 * errors. Nothing below renders a stack trace or an internal message to the client.
 */
import { randomUUID } from "node:crypto";
import middy, { type MiddlewareObj } from "@middy/core";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import type * as z from "zod/mini";
import { type AuditEntry, appendAudit } from "#shared/audit/trail.ts";
import { hasPermission } from "#shared/auth/permissions.ts";
import { authenticate, readCredentials } from "#shared/identity/authenticate.ts";
import type { Principal } from "#shared/identity/principal.ts";
import { withIotScope } from "#shared/iot/session.ts";
import { withTableScope } from "#shared/table/client.ts";
import { enterTenantScope, prefetchTenantCredentials, preTenantStatements } from "#shared/tenancy/credentials.ts";
import {
  consume,
  RATE_CLASSES,
  type RateState,
  rateHeaders,
  rateProbe,
  rateSubject,
} from "#shared/tenancy/rate-limit.ts";
import { clientAddress } from "./client-address.ts";
import { renderError, renderSuccess } from "./envelopes.ts";
import {
  AppError,
  Forbidden,
  Invalid,
  TooManyRequests,
  transientDependencyError,
  Unauthorized,
  UnsupportedMediaType,
} from "./errors.ts";
import { SECURITY_HEADERS } from "./headers.ts";
import { log } from "./log.ts";
import { deprecationHeaders, type RouteDef, routeKey } from "./route.ts";
import { validate } from "./validation.ts";

type Schema = z.core.$ZodType;
type Out<S> = S extends Schema ? z.output<S> : undefined;

export interface Schemas {
  path?: Schema;
  query?: Schema;
  body?: Schema;
  /**
   * What a successful answer carries (the body, or the securenet envelope's `data`), as the spec's
   * example shows it: for the OpenAPI document and the contract tests, which check real answers
   * against it. Not checked at run time.
   */
  response?: Schema;
  /**
   * For a route that answers with a file (a `RawResponse`): each media type it may send, with a
   * description and, where the file is JSON, its schema. A route declares `response`, `produces` or `noContent`.
   */
  produces?: Record<string, MediaSpec>;
  /** For a route that answers 204 with no body (a `RawResponse(204, …)`), e.g. a DRF delete. */
  noContent?: true;
  /**
   * For a route that may also answer 302 with a `Location` and no body (a `RawResponse(302, …)`):
   * what the link leads to. Beside `produces` when the file is sent itself in some setups.
   */
  redirects?: string;
}

/** One media type a file-answering route may send (see `Schemas.produces`). */
export interface MediaSpec {
  description: string;
  schema?: Schema;
}

/** A response the handler shapes itself (files, text/plain metrics, redirects). */
export class RawResponse {
  constructor(
    readonly statusCode: number,
    readonly headers: Record<string, string>,
    readonly body: string | Buffer,
  ) {}
}

export interface AuditNote {
  tenantId?: string;
  event?: string;
  eventType?: string;
  status?: AuditEntry["status"];
  severity?: AuditEntry["severity"];
  user?: string;
  userId?: number;
  resource?: string;
  details?: Record<string, unknown>;
}

export interface Req<S extends Schemas> {
  requestId: string;
  route: RouteDef;
  ip: string;
  userAgent: string;
  headers: Record<string, string | undefined>;
  path: Out<S["path"]>;
  query: Out<S["query"]>;
  body: Out<S["body"]>;
  /** The raw body bytes (multipart and raw routes). */
  rawBody: Buffer;
  /** The authenticated caller; throws 401 on a public route where nobody signed in. */
  readonly principal: Principal;
  /** Set a non-200 success status (201 Created, 202 Accepted). */
  status(code: number): void;
  header(name: string, value: string): void;
  /** Record an audit event for this request (written after the handler, on success and on failure). */
  audit(note: AuditNote): void;
}

interface State {
  requestId: string;
  route: RouteDef;
  ip: string;
  userAgent: string;
  headers: Record<string, string | undefined>;
  rawBody: Buffer;
  json: unknown;
  parsed: { path: unknown; query: unknown; body: unknown };
  principal?: Principal;
  rate?: RateState;
  status: number;
  extraHeaders: Record<string, string>;
  notes: AuditNote[];
  /** Refused by the permission check (or the API key's scope) before the handler ran. */
  refused?: boolean;
}

type Event = APIGatewayProxyEventV2;
type Result = APIGatewayProxyStructuredResultV2;
type Internal = Record<string, unknown>;

const MUTATING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

function lowerHeaders(h: Event["headers"]): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(h ?? {})) out[k.toLowerCase()] = v;
  return out;
}

/** Per-invocation state, keyed by the event object (middy passes the handler only event and context). */
const states = new WeakMap<Event, State>();

function state(request: { event: Event }): State {
  const s = states.get(request.event);
  if (!s) throw new Error("endpoint state missing");
  return s;
}

/**
 * Where the kit leaves the resolved caller's tenant on the invocation's context object, for the
 * host's access log (local mode writes one line per request). Never a secret; never in the answer.
 */
export const CONTEXT_TENANT = "wardenTenantId";

const noteTenant = (context: Context, s: State) => {
  (context as unknown as Record<string, unknown>)[CONTEXT_TENANT] = s.principal?.tenantId;
};

/** 1. Request id, caller address and the raw body; 2. security headers and envelope on the way out. */
const frame = (route: RouteDef): MiddlewareObj<Event, Result, Error, Context, Internal> => ({
  name: "frame",
  before: (request) => {
    const e = request.event;
    const headers = lowerHeaders(e.headers);
    const rawBody = e.body ? Buffer.from(e.body, e.isBase64Encoded ? "base64" : "utf8") : Buffer.alloc(0);
    states.set(e, {
      requestId: e.requestContext?.requestId || randomUUID(),
      route,
      ip: clientAddress(headers, e.requestContext?.http?.sourceIp ?? "0.0.0.0"),
      userAgent: e.requestContext?.http?.userAgent ?? headers["user-agent"] ?? "",
      headers,
      rawBody,
      json: undefined,
      parsed: { path: undefined, query: undefined, body: undefined },
      status: 200,
      extraHeaders: {},
      notes: [],
    });
  },
  after: (request) => {
    const s = state(request);
    noteTenant(request.context, s);
    const result = request.response as unknown;
    request.response =
      result instanceof RawResponse
        ? finishRaw(s, result)
        : finishJson(s, s.status, renderSuccess(route.surface, s.status, result ?? {}).body);
  },
  onError: (request) => {
    const s = states.get(request.event) ?? fallbackState(route);
    noteTenant(request.context, s);
    const err = request.error;
    const transient = err instanceof AppError ? undefined : transientDependencyError(err);
    const appError =
      err instanceof AppError
        ? err
        : (transient ?? new AppError(500, "INTERNAL_SERVER_ERROR", "Internal server error"));
    if (transient) {
      log.warn("dependency busy: answered 503", { requestId: s.requestId, route: routeKey(route), error: err });
    } else if (!(err instanceof AppError)) {
      log.error("unhandled error", { requestId: s.requestId, route: routeKey(route), error: err });
    }
    if (appError.headers) Object.assign(s.extraHeaders, appError.headers);
    const rendered = renderError(route.surface, appError, s.requestId);
    request.response = finishJson(s, rendered.statusCode, rendered.body);
  },
});

function fallbackState(route: RouteDef): State {
  return {
    requestId: randomUUID(),
    route,
    ip: "0.0.0.0",
    userAgent: "",
    headers: {},
    rawBody: Buffer.alloc(0),
    json: undefined,
    parsed: { path: undefined, query: undefined, body: undefined },
    status: 500,
    extraHeaders: {},
    notes: [],
  };
}

function baseHeaders(s: State): Record<string, string> {
  return {
    ...SECURITY_HEADERS,
    ...(s.route.deprecated ? deprecationHeaders(s.route.deprecated) : {}),
    "X-Request-Id": s.requestId,
    ...(s.rate ? rateHeaders(s.rate) : {}),
    ...s.extraHeaders,
  };
}

function finishJson(s: State, statusCode: number, body: unknown): Result {
  return {
    statusCode,
    headers: { "Content-Type": "application/json; charset=utf-8", ...baseHeaders(s) },
    body: JSON.stringify(body),
  };
}

function finishRaw(s: State, r: RawResponse): Result {
  const binary = Buffer.isBuffer(r.body);
  return {
    statusCode: r.statusCode,
    headers: { ...baseHeaders(s), ...r.headers },
    body: binary ? r.body.toString("base64") : (r.body as string),
    isBase64Encoded: binary,
  };
}

/** 3. JSON body; 4. zod validation of path, query and body. */
const parse = (schemas: Schemas): MiddlewareObj<Event, Result, Error, Context, Internal> => ({
  name: "parse",
  before: (request) => {
    const s = state(request);
    const e = request.event;
    if (schemas.body && (s.route.body ?? "json") === "json") {
      const type = s.headers["content-type"] ?? "application/json";
      if (!/^application\/([\w.+-]+\+)?json\b/i.test(type) && s.rawBody.length > 0) {
        throw new UnsupportedMediaType(`Content-Type must be application/json (got ${type.split(";")[0]})`);
      }
      if (s.rawBody.length === 0) s.json = undefined;
      else {
        try {
          s.json = JSON.parse(s.rawBody.toString("utf8"));
        } catch {
          throw new Invalid("body: malformed JSON", [
            { loc: ["body"], msg: "malformed JSON", type: "value_error.jsondecode" },
          ]);
        }
      }
    }
    s.parsed.path = schemas.path ? validate("path", schemas.path, e.pathParameters ?? {}) : undefined;
    s.parsed.query = schemas.query ? validate("query", schemas.query, e.queryStringParameters ?? {}) : undefined;
    s.parsed.body =
      schemas.body && (s.route.body ?? "json") === "json" ? validate("body", schemas.body, s.json) : undefined;
  },
});

/** 5–7. Authentication, revocation and system lock, permission; then the tenant's credentials. */
const guard = (route: RouteDef): MiddlewareObj<Event, Result, Error, Context, Internal> => ({
  name: "guard",
  before: async (request) => {
    const s = state(request);
    // Public route: credentials, if any were sent, are neither required nor resolved.
    if (route.permission === null) return;
    const needs = {
      table: route.access.table,
      rateLimit: route.rateClass !== "unlimited",
      auditMaintenance: route.access.auditMaintenance,
      iotShadows: route.access.iotShadows,
      iotShadowsRead: route.access.iotShadowsRead,
      iotRegistry: route.access.iotRegistry,
    };
    s.principal = await authenticate(readCredentials(s.headers), {
      ip: s.ip,
      allowDuringSystemLock: route.allowDuringSystemLock ?? false,
      allowApiKeysDuringSystemLock: route.allowApiKeysDuringSystemLock ?? false,
      allowRestrictedTokens: route.allowRestrictedTokens ?? [],
      // A signed-in user's request counts in the tenant's window: read it with the token's items.
      rateProbe: (tenantId) => rateProbe(rateSubject({ tenantId }, s.ip), route.rateClass),
      // The tenant's credentials (STS in AWS) are obtained while the token's items are read.
      verifiedTenant: (tenantId) => prefetchTenantCredentials(tenantId, needs),
    });
    // A refusal here (permission, API-key scope) is audited as access_denied (see audit).
    s.refused = !hasPermission(s.principal.permissions, route.permission);
    if (s.refused) {
      throw new Forbidden(`Insufficient permissions: this operation requires '${route.permission}'`);
    }
    s.refused = !!s.principal.apiKey && !hasPermission(s.principal.apiKey.scopes, route.permission);
    if (s.refused) {
      throw new Forbidden(`API key scope does not include '${route.permission}'`);
    }
    // The principal is verified: the rest of the request uses the tenant's credentials.
    await enterTenantScope(s.principal.tenantId, needs);
  },
});

/** 8. Per-tenant (or, for anonymous routes, per-address) rate limit. */
const rateLimit = (route: RouteDef): MiddlewareObj<Event, Result, Error, Context, Internal> => ({
  name: "rateLimit",
  before: async (request) => {
    const s = state(request);
    if (route.rateClass === "unlimited") return;
    const subject = rateSubject(
      s.principal && { tenantId: s.principal.tenantId, apiKeyId: s.principal.apiKey?.id },
      s.ip,
    );
    // A key's own limit can only tighten the route's: a 1000/min key is still 5/min on sign-up routes.
    const keyLimit = s.principal?.apiKey?.rateLimit;
    const limit = Math.min(RATE_CLASSES[route.rateClass], keyLimit ?? Number.POSITIVE_INFINITY);
    s.rate = await consume(subject, route.rateClass, limit);
    if (s.rate.exceeded) {
      throw new TooManyRequests(`Rate limit of ${s.rate.limit} requests per minute exceeded; retry after the reset`, {
        "Retry-After": String(Math.max(1, s.rate.reset - Math.floor(Date.now() / 1000))),
      });
    }
  },
});

/** 9. Audit trail: every mutation and every auth event, success or failure. */
const audit = (route: RouteDef): MiddlewareObj<Event, Result, Error, Context, Internal> => {
  /** `refused`: the permission check (or the API key's scope) refused the request with 403. */
  const write = async (s: State, failed: boolean, refused = false) => {
    const notes = [...s.notes];
    // The record of the request itself, when the handler wrote none (or never ran).
    const own: AuditNote = {};
    if (notes.length === 0 && s.principal && (refused || (MUTATING.has(route.method) && route.audit))) notes.push(own);
    if (notes.length === 0) return;
    const byTenant = new Map<string, AuditEntry[]>();
    for (const n of notes) {
      const tenantId = n.tenantId ?? s.principal?.tenantId;
      if (!tenantId) continue;
      // A note the handler wrote is written as it says (a failed login, a wrong unlock PIN). The
      // request's own record of a request the permission check refused (permission, API-key scope)
      // is an access_denied record naming what it attempted, never a failed instance of the
      // mutation (stats count only successes).
      const denied = refused && n === own;
      const entry: AuditEntry = {
        // A refused request (403), whatever it tried, changed nothing: it is no mutation.
        event: denied ? "Access Denied" : (n.event ?? route.audit?.event ?? routeKey(route)),
        eventType: denied ? "access_denied" : (n.eventType ?? route.audit?.eventType ?? "api_call"),
        resource: n.resource ?? route.path,
        status: n.status ?? (failed ? "failed" : "success"),
        severity: denied ? (n.severity ?? "warning") : n.severity,
        user: n.user ?? s.principal?.username,
        userId: n.userId ?? s.principal?.userId,
        // The key an action came through, beside its owner (not on notes about someone else).
        apiKeyId: n.user === undefined ? s.principal?.apiKey?.prefix : undefined,
        ip: s.ip,
        userAgent: s.userAgent,
        details: {
          method: route.method,
          request_id: s.requestId,
          ...(denied && { status: 403, attempted: n.eventType ?? route.audit?.eventType ?? routeKey(route) }),
          ...n.details,
        },
      };
      byTenant.set(tenantId, [...(byTenant.get(tenantId) ?? []), entry]);
    }
    for (const [tenantId, entries] of byTenant) {
      try {
        await appendAudit(tenantId, entries);
      } catch (error) {
        // The change itself is done; a lost audit record is an operational alarm, not the caller's error.
        log.error("audit write failed", { requestId: s.requestId, tenantId, error });
      }
    }
  };
  return {
    name: "audit",
    after: (request) => write(state(request), false),
    onError: async (request) => {
      const s = states.get(request.event);
      if (!s) return;
      const status = request.error instanceof AppError ? request.error.statusCode : 500;
      // Validation failures change nothing and are not security events. Refused floods (429) are
      // not written either: auditing each one would turn the limiter into a write amplifier on the
      // tenant's hash chain. A failed mutation after a resolved caller (404, 409, 423…) and every
      // explicit note (failed logins) is kept. A signed-in caller refused by the permission check or
      // the API key's scope (403) is written as access_denied, read or write. A 403 from a rule of
      // the domain ("cannot grant what you do not hold") stays a failed attempt of the mutation; on
      // a read it is not written. (Refusals inside authentication — revoked, restricted, locked —
      // happen before the caller is resolved and are not written.)
      const quiet = status === 400 || status === 422 || status === 429;
      const refused = s.principal !== undefined && status === 403 && s.refused === true;
      if (s.notes.length > 0 || refused || (s.principal && !quiet && MUTATING.has(route.method))) {
        await write(s, true, refused);
      }
    },
  };
};

export type Handler<S extends Schemas> = (req: Req<S>) => Promise<unknown> | unknown;
export type LambdaHandler = (event: Event, context: Context) => Promise<Result>;

/** One endpoint: the route it serves, its request schemas, and its Lambda handler for that route's row. */
export interface Endpoint<S extends Schemas = Schemas> {
  /** "METHOD /path" of the route table row this module serves. */
  readonly key: string;
  readonly schemas: S;
  /**
   * The Lambda handler, built from the row of the route table that points at this module: the
   * bundle's entry (infra/build.ts), local mode and the tests call this with the row, so the row's
   * permission, rate class and audit settings are the ones the table declares. A row for another
   * route is refused, so a module and its row cannot drift apart.
   */
  lambda(route: RouteDef): LambdaHandler;
}

/** Declares the endpoint for the route `key` ("METHOD /path"); see `Endpoint.lambda`. */
export function defineEndpoint<S extends Schemas>(key: string, schemas: S, handle: Handler<S>): Endpoint<S> {
  return {
    key,
    schemas,
    lambda(route) {
      if (routeKey(route) !== key) {
        throw new Error(`endpoint for '${key}' was given the row of '${routeKey(route)}' (${route.handler})`);
      }
      return build(route, schemas, handle);
    },
  };
}

function build<S extends Schemas>(route: RouteDef, schemas: S, handle: Handler<S>): LambdaHandler {
  const handler = middy<Event, Result, Error, Context, Internal>()
    .use(frame(route))
    .use(audit(route))
    .use(parse(schemas))
    .use(guard(route))
    .use(rateLimit(route))
    .handler(async (event) => {
      const s = state({ event });
      const req: Req<S> = {
        requestId: s.requestId,
        route,
        ip: s.ip,
        userAgent: s.userAgent,
        headers: s.headers,
        path: s.parsed.path as Out<S["path"]>,
        query: s.parsed.query as Out<S["query"]>,
        body: s.parsed.body as Out<S["body"]>,
        rawBody: s.rawBody,
        get principal(): Principal {
          if (!s.principal) throw new Unauthorized();
          return s.principal;
        },
        status: (code) => {
          s.status = code;
        },
        header: (name, value) => {
          s.extraHeaders[name] = value;
        },
        audit: (note) => {
          s.notes.push(note);
        },
      };
      return (await handle(req)) as Result;
    });
  // Each invocation in a table scope of its own: own credentials until the guard enters the
  // tenant's, held (where the route has a verified caller) to what its role allows before that.
  const own = route.permission !== null && route.access.table ? preTenantStatements() : undefined;
  return (event, context) => withTableScope(() => withIotScope(() => handler(event, context)), own);
}
