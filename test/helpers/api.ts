/**
 * Calls route handlers the way API Gateway does: builds a payload 2.0 event for a row of the
 * route table, invokes the handler module in-process, and returns status, headers and the parsed
 * body. In-process so a test can count the DynamoDB calls one request makes.
 *
 * Contract check: every successful answer (2xx) is checked against the response schema its
 * endpoint declares (`response`: the body, or the securenet envelope's `data`; `produces`: the
 * file's media type, and its schema where it has one). An answer that breaks its schema fails the
 * test that got it, so the OpenAPI document (generated from the same schemas) cannot drift from
 * what the handlers send.
 */
import { randomUUID } from "node:crypto";
import { resolve } from "node:path";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import * as z from "zod/mini";
import { compileRoutes, lambdaContext, matchRoute } from "#infra/local/api-server.ts";
import { loadEndpoint, routeHandlers } from "#infra/local/route-handlers.ts";
import { routes } from "#infra/routes.ts";
import type { RouteDef } from "#shared/kit/route.ts";

const root = resolve(import.meta.dirname, "../..");
const compiled = compileRoutes(routes);

export interface CallOptions {
  body?: unknown;
  /** Sent as-is (a string body is not JSON-encoded; pass a Buffer for binary). */
  rawBody?: string | Buffer;
  token?: string;
  apiKey?: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  ip?: string;
}

export interface CallResult<T = any> {
  status: number;
  headers: Record<string, string>;
  body: T;
  text: string;
  /** The body's bytes as the handler sent them (`text` decodes them as UTF-8: not for a PDF). */
  raw: Buffer;
  /** Whether the handler sent the body base64-encoded, as API Gateway needs for binary media. */
  base64: boolean;
}

const load = routeHandlers(root);

export async function call<T = any>(method: string, path: string, opts: CallOptions = {}): Promise<CallResult<T>> {
  const [rawPath = "/", qs] = path.split("?");
  const found = matchRoute(compiled, method, rawPath);
  if (!found || found === "method-not-allowed") throw new Error(`no route for ${method} ${rawPath}`);
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "user-agent": "vitest",
    ...Object.fromEntries(Object.entries(opts.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
  };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.apiKey) headers["x-api-key"] = opts.apiKey;
  const query: Record<string, string> = { ...Object.fromEntries(new URLSearchParams(qs ?? "")), ...opts.query };
  const binary = Buffer.isBuffer(opts.rawBody);
  const body =
    opts.rawBody !== undefined
      ? binary
        ? (opts.rawBody as Buffer).toString("base64")
        : (opts.rawBody as string)
      : opts.body !== undefined
        ? JSON.stringify(opts.body)
        : undefined;
  const routeKey = `${found.route.method} ${found.route.path}`;
  const event: APIGatewayProxyEventV2 = {
    version: "2.0",
    routeKey,
    rawPath,
    rawQueryString: new URLSearchParams(query).toString(),
    headers,
    queryStringParameters: Object.keys(query).length ? query : undefined,
    pathParameters: Object.keys(found.pathParameters).length ? found.pathParameters : undefined,
    requestContext: {
      accountId: "000000000000",
      apiId: "test",
      domainName: "localhost",
      domainPrefix: "localhost",
      http: { method, path: rawPath, protocol: "HTTP/1.1", sourceIp: opts.ip ?? "198.51.100.7", userAgent: "vitest" },
      requestId: randomUUID(),
      routeKey,
      stage: "$default",
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    body,
    isBase64Encoded: binary,
  };
  const handler = await load(found.route);
  const result = await handler(event, lambdaContext(found.route));
  const raw = Buffer.from(result.body ?? "", result.isBase64Encoded ? "base64" : "utf8");
  const text = raw.toString("utf8");
  let parsed: unknown = text;
  if ((result.headers?.["Content-Type"] as string | undefined)?.includes("json")) parsed = JSON.parse(text);
  await checkContract(found.route, result.statusCode ?? 200, String(result.headers?.["Content-Type"] ?? ""), parsed, {
    location: result.headers?.Location as string | undefined,
  });
  return {
    status: result.statusCode ?? 200,
    headers: Object.fromEntries(Object.entries(result.headers ?? {}).map(([k, v]) => [k, String(v)])),
    body: parsed as T,
    text,
    raw,
    base64: result.isBase64Encoded === true,
  };
}

/** Throws when a 2xx answer breaks the response schema its endpoint declares. */
export async function checkContract(
  route: RouteDef,
  status: number,
  contentType: string,
  body: unknown,
  headers: { location?: string } = {},
) {
  if (status >= 300 && status < 400) {
    const { schemas } = await loadEndpoint(root, route.handler);
    const where = `${route.method} ${route.path} answered ${status}`;
    if (!schemas.redirects) throw new Error(`contract: ${where}; it declares no redirect`);
    if (status !== 302 || !headers.location || (body !== undefined && body !== null && body !== ""))
      throw new Error(`contract: ${where}; a declared redirect is a 302 with a Location and no body`);
    return;
  }
  if (status < 200 || status >= 300) return;
  const { schemas } = await loadEndpoint(root, route.handler);
  const where = `${route.method} ${route.path} answered ${status}`;
  if (schemas.noContent) {
    if (status !== 204 || (body !== undefined && body !== null && body !== ""))
      throw new Error(`contract: ${where} with a body; it declares no content (204)`);
    return;
  }
  if (schemas.produces) {
    const media = contentType.split(";")[0]?.trim() ?? "";
    const spec = schemas.produces[media];
    if (!spec)
      throw new Error(`contract: ${where} with ${media}, not one of ${Object.keys(schemas.produces).join(", ")}`);
    if (spec.schema) assertMatches(where, spec.schema, body);
    return;
  }
  if (!schemas.response) return; // test/unit/openapi-coverage.test.ts fails for a route without one
  const data = route.surface === "securenet" ? (body as { data?: unknown }).data : body;
  assertMatches(where, schemas.response, data);
}

function assertMatches(where: string, schema: z.core.$ZodType, value: unknown) {
  const r = z.safeParse(schema, value);
  if (r.success) return;
  const issues = r.error.issues.map((i) => `  ${i.path.join(".") || "(root)"}: ${i.message}`).join("\n");
  throw new Error(
    `contract: ${where} breaks its response schema:\n${issues}\nanswer: ${JSON.stringify(value).slice(0, 2000)}`,
  );
}

/** A fresh tenant (own organization, own admin) for one test file: files never share data. */
export async function newTenant(label = "org") {
  const suffix = randomUUID().slice(0, 8);
  const organization = `${label}-${suffix}`;
  const username = `admin-${suffix}`;
  const password = "Str0ng!Passphrase#2026";
  const signUp = () =>
    call("POST", "/api/auth/signup", {
      body: { organization, username, email: `${username}@example.com`, password },
      ip: freshIp(),
    });
  // A busy dependency answers 503 with Retry-After (DynamoDB Local on a loaded machine): a client
  // waits and sends again, as this setup does, twice at most.
  let res = await signUp();
  for (let retry = 0; res.status === 503 && retry < 2; retry++) {
    await new Promise((r) => setTimeout(r, 1000 * Number(res.headers["retry-after"] ?? 1)));
    res = await signUp();
  }
  if (res.status !== 201) throw new Error(`signup failed: ${res.status} ${res.text}`);
  return {
    tenantId: res.body.data.organization.id as string,
    organization,
    username,
    password,
    token: res.body.data.token as string,
    userId: res.body.data.user.id as number,
  };
}

/**
 * A second user of the tenant, made by its admin with the default role (viewer) and signed in:
 * its access token, for "refused without the permission" cases.
 */
export async function viewerToken(tenant: { token: string }): Promise<string> {
  const username = `viewer-${randomUUID().slice(0, 8)}`;
  const password = "Secure-Passw0rd!";
  const reg = await call("POST", "/api/v1/auth/register", {
    token: tenant.token,
    body: { email: `${username}@example.com`, username, password },
  });
  if (reg.status !== 201) throw new Error(`viewer registration failed: ${reg.status} ${reg.text}`);
  const login = await call("POST", "/api/v1/auth/token", { body: { username, password }, ip: freshIp() });
  if (typeof login.body?.access_token !== "string") throw new Error(`viewer sign-in failed: ${login.text}`);
  return login.body.access_token;
}

/** A distinct source address per call site, so per-address rate limits of one test never trip another. */
let ipCounter = 0;
export function freshIp(): string {
  ipCounter += 1;
  return `198.18.${process.pid & 255}.${ipCounter & 255}`;
}

/** A multipart/form-data body as a browser sends it. */
export function multipart(parts: { name: string; value: string; filename?: string }[]) {
  const boundary = `----warden${randomUUID().replace(/-/g, "")}`;
  const body = parts
    .map(
      (p) =>
        `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"${p.filename ? `; filename="${p.filename}"` : ""}\r\n` +
        `${p.filename ? "Content-Type: text/plain\r\n" : ""}\r\n${p.value}\r\n`,
    )
    .join("");
  return {
    rawBody: Buffer.from(`${body}--${boundary}--\r\n`),
    headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
  };
}
