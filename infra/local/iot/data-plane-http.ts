/**
 * The HTTP data-plane API of AWS IoT Core (the one @aws-sdk/client-iot-data-plane and
 * `aws iot-data` call), served from the local shadow service and broker. Requests are not signature
 * checked: this only ever listens on the developer's machine.
 *
 * Errors follow the restJson1 protocol: the status, `x-amzn-ErrorType: <Name>:` and a JSON body with
 * `message`, so the SDK raises ResourceNotFoundException, ConflictException and friends.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { isTenantThing } from "#shared/iot/policy.ts";
import { localSessionTenant } from "#shared/iot/session.ts";
import type { ShadowResult, ShadowService } from "./shadow-service.ts";
import { CLASSIC_SHADOW } from "./shadow-topics.ts";

/** IoT Core's limit for an HTTP publish body; larger shadow bodies are refused by the 8 KB rule anyway. */
const MAX_BODY_BYTES = 128 * 1024;
const DEFAULT_PAGE_SIZE = 25;

const ERROR_TYPES: Record<number, string> = {
  400: "InvalidRequestException",
  403: "AccessDeniedException",
  404: "ResourceNotFoundException",
  405: "MethodNotAllowedException",
  409: "ConflictException",
  413: "RequestEntityTooLargeException",
  500: "InternalFailureException",
};

export interface DataPlaneHttp {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

export interface DataPlaneDeps {
  shadows: ShadowService;
  publish(topic: string, payload: Buffer, opts: { qos: 0 | 1; retain: boolean }): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function startDataPlaneHttp(opts: { port: number; host: string } & DataPlaneDeps): Promise<DataPlaneHttp> {
  const server = createServer((req, res) => {
    handle(req, res, opts).catch((e: unknown) => {
      const status = e instanceof HttpError ? e.status : 500;
      const message = e instanceof HttpError ? e.message : "Internal failure";
      sendError(res, status, message);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : opts.port;
  return {
    endpoint: `http://${opts.host}:${port}`,
    port,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, deps: DataPlaneDeps): Promise<void> {
  const url = new URL(req.url ?? "/", "http://localhost");
  const method = req.method ?? "GET";
  const segments = url.pathname.split("/").slice(1);

  // /things/{thingName}/shadow?name={shadowName}
  if (segments.length === 3 && segments[0] === "things" && segments[2] === "shadow") {
    const thing = decode(segments[1] ?? "");
    const shadowName = url.searchParams.get("name") ?? CLASSIC_SHADOW;
    refuseOtherTenants(req, thing);
    if (method === "GET") return sendShadowResult(res, deps.shadows.get(thing, shadowName));
    if (method === "DELETE") return sendShadowResult(res, deps.shadows.delete(thing, shadowName));
    if (method === "POST") return sendShadowResult(res, deps.shadows.update(thing, shadowName, await readBody(req)));
    throw new HttpError(405, `Method ${method} is not allowed on a shadow`);
  }

  // /api/things/shadow/ListNamedShadowsForThing/{thingName}
  if (segments.length === 5 && segments.slice(0, 4).join("/") === "api/things/shadow/ListNamedShadowsForThing") {
    if (method !== "GET") throw new HttpError(405, `Method ${method} is not allowed here`);
    return sendJson(res, 200, listPage(deps.shadows.listNamedShadows(decode(segments[4] ?? "")), url.searchParams));
  }

  // /topics/{topic}?qos=&retain=
  if (segments[0] === "topics" && segments.length >= 2) {
    if (method !== "POST") throw new HttpError(405, `Method ${method} is not allowed on a topic`);
    const topic = decode(segments.slice(1).join("/"));
    if (topic === "" || /[#+]/.test(topic))
      throw new HttpError(400, "A publish topic must not be empty or contain wildcards");
    const qos = url.searchParams.get("qos") ?? "0";
    if (qos !== "0" && qos !== "1") throw new HttpError(400, "qos must be 0 or 1");
    const body = await readBody(req);
    await deps.publish(topic, body, { qos: qos === "1" ? 1 : 0, retain: url.searchParams.get("retain") === "true" });
    return sendJson(res, 200, {});
  }

  throw new HttpError(404, `No route for ${method} ${url.pathname}`);
}

/**
 * What the tenant-access role's IAM does in AWS: a request signed with a tenant session (the local
 * STS stand-in's token names its `tenant` tag) reaches only `warden_<tenant>_…` things. Requests
 * with the functions' own (fixed local) credentials carry no session token and pass, as the
 * workers' roles do. Signatures are not checked: this only ever listens on the developer's machine.
 */
function refuseOtherTenants(req: IncomingMessage, thing: string): void {
  const token = req.headers["x-amz-security-token"];
  const tenant = localSessionTenant(Array.isArray(token) ? token[0] : token);
  if (tenant !== undefined && !isTenantThing(tenant, thing)) {
    throw new HttpError(403, `tenant session '${tenant}' is not authorized to access the shadows of thing '${thing}'`);
  }
}

function listPage(names: string[], query: URLSearchParams) {
  const pageSize = Number(query.get("pageSize") ?? DEFAULT_PAGE_SIZE);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100) throw new HttpError(400, "pageSize must be 1-100");
  const token = query.get("nextToken");
  const start = token ? Number(Buffer.from(token, "base64url").toString("utf8")) : 0;
  if (!Number.isInteger(start) || start < 0) throw new HttpError(400, "Invalid nextToken");
  const results = names.slice(start, start + pageSize);
  const next =
    start + pageSize < names.length ? Buffer.from(String(start + pageSize)).toString("base64url") : undefined;
  return { results, ...(next && { nextToken: next }), timestamp: Math.floor(Date.now() / 1000) };
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, "Malformed path");
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buf.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, "Payload too large");
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

function sendShadowResult(res: ServerResponse, result: ShadowResult<object>) {
  if (result.kind === "accepted") return sendJson(res, 200, result.document);
  return sendError(res, result.error.code, result.error.message);
}

function sendJson(res: ServerResponse, status: number, body: object) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    "x-amzn-RequestId": randomUUID(),
  });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, message: string) {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const text = JSON.stringify({ message });
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    "x-amzn-RequestId": randomUUID(),
    "x-amzn-ErrorType": `${ERROR_TYPES[status] ?? ERROR_TYPES[500]}:`,
  });
  res.end(text);
}
