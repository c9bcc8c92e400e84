/**
 * BOLA matrix (broken object-level authorization): every route whose request names an object —
 * a path parameter, or a query/body field such as user_id, gateway_id, key_id, rule_id,
 * session_id, fingerprint, role or a login-name filter (found in the route's own schema, see
 * test/helpers/route-catalogue.ts) — called by tenant B's administrator with tenant A's objects.
 * Each attempt is refused (400/403/404, 422 on cloudsentinel) and A's objects read back the same
 * by A's own administrator before and after. Every read route of B, with and without A's ids in
 * its query, shows nothing of A.
 *
 * Ids are numbered per tenant (A's user 2 is not B's user 2), so B is kept bare — its administrator
 * and its maker keys only — and every id of A that an attack names is one B does not have.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalIot, usePlatformWithLocalIot } from "#infra/local/iot/index.ts";

const iot = await startLocalIot();
// The shared code reads its environment once: point it at the local IoT Core before importing it.
await usePlatformWithLocalIot(iot);
const { call } = await import("#test/helpers/api.ts");
const { viaTopicRule } = await import("#test/helpers/iot.ts");
const { handler: ingestHandler } = await import("#functions/iot/ingest.ts");
const { loadCatalogue } = await import("#test/helpers/route-catalogue.ts");
const { adminRequest, objectOf } = await import("#test/helpers/route-requests.ts");
const { expectStatus, multipart, newSshPublicKey, uniqueIp, World } = await import("#test/helpers/world.ts");

type CatalogueRoute = import("#test/helpers/route-catalogue.ts").CatalogueRoute;
type ObjectKind = import("#test/helpers/route-catalogue.ts").ObjectKind;
type RouteRequest = import("#test/helpers/route-requests.ts").RouteRequest;
type Principal = import("#test/helpers/world.ts").Principal;

const ingest = viaTopicRule(ingestHandler);
const BASE = "/cloud-integration/security";
const REFUSED = [400, 403, 404, 422];

let a: import("#test/helpers/world.ts").World;
let b: import("#test/helpers/world.ts").World;
let attacker: Principal;
let routes: CatalogueRoute[];
/** Strings that name tenant A: its id, and the suffix every name made in A carries. */
let markers: string[];
/** A's entries that are named by value rather than by id. */
let entries: { whitelisted: string; blacklisted: string; blockedPort: number };

beforeAll(async () => {
  [a, b, routes] = await Promise.all([World.create("bola-a", { makers: 5 }), World.create("bola-b"), loadCatalogue()]);
  attacker = {
    name: "tenant B's admin",
    world: b,
    kind: "token",
    grants: { permissions: ["*"] },
    user: b.admin,
    token: b.admin.token,
  };
  markers = [a.tenantId, a.tenantId.slice(-8)];
  // A's standing objects, made before anything is read back.
  const gw = await a.stableGateway();
  await Promise.all([
    a.target(),
    a.stableApiKey(),
    a.stableRule(),
    a.stableSshKey(),
    a.stableSshSession(ingest),
    a.minimalRole(),
  ]);
  await a.rule(gw.id);
  await a.sshKey(gw.id);
  entries = { whitelisted: a.address(), blacklisted: a.address(), blockedPort: 21000 + a.next() };
  for (const [path, body] of [
    ["whitelist/manage", { action: "add", ip_address: entries.whitelisted }],
    ["blacklist/manage", { action: "add", ip_address: entries.blacklisted }],
    ["ports/manage", { action: "block", port: entries.blockedPort, protocol: "TCP" }],
  ] as const) {
    expectStatus(await a.make("POST", `${BASE}/firewall/${path}`, { body }), [200], `A's ${path}`);
  }
}, 120_000);

afterAll(async () => {
  await iot.stop();
});

/** Fields that change on every read and say nothing about the object: maker keys' use, a session's running time. */
const VOLATILE = new Set(["usage_count", "last_used", "duration", "idle_time"]);
const normalize = (text: string) => JSON.stringify(JSON.parse(text, (k, v) => (VOLATILE.has(k) ? undefined : v)));

/** What A's administrator reads of the objects a request names (and of the area it is about). */
async function readBack(
  route: CatalogueRoute,
  req: RouteRequest,
  kinds: Set<ObjectKind>,
): Promise<Record<string, string>> {
  const body = (req.body ?? {}) as Record<string, unknown>;
  const gw = (await a.stableGateway()).id;
  const paths = new Set<string>();
  const userIds = [body.user_id, body.transfer_data_to, req.path.match(/\/users\/(\d+)$/)?.[1]].filter(
    (v) => v !== undefined,
  );
  for (const id of userIds) paths.add(`/users/${id}`);
  const gatewayIds = [body.gateway_id, req.query?.gateway_id, req.path.match(/\/gateways\/(\d+)$/)?.[1], gw].filter(
    (v) => v !== undefined,
  );
  if (kinds.has("gateway")) {
    for (const id of new Set(gatewayIds.map(String))) {
      paths.add(`/gateways/${id}`);
      paths.add(`/firewall/status?gateway_id=${id}`);
      paths.add(`/firewall/rules?gateway_id=${id}`);
      paths.add(`/ssh/settings?gateway_id=${id}`);
    }
  }
  if (kinds.has("apiKey") || route.key.includes("/api-keys")) paths.add("/api-keys");
  if (kinds.has("firewallRule") || route.key.includes("/firewall/")) {
    paths.add("/firewall/rules");
    paths.add("/firewall/status");
  }
  if (kinds.has("sshSession") || kinds.has("sshKey") || route.key.includes("/ssh/")) {
    paths.add("/ssh/sessions?active_only=false");
    paths.add("/ssh/settings");
  }
  if (kinds.has("role") || kinds.has("loginName") || route.key.includes("/users") || route.key.includes("/auth/")) {
    paths.add("/users");
    paths.add("/roles");
  }
  const out: Record<string, string> = {};
  for (const path of paths) {
    const res = await a.make("GET", `${BASE}${path}`);
    out[path] = `${res.status} ${res.status === 200 ? normalize(res.text) : res.text}`;
  }
  return out;
}

/** A's request on the route, with every object field it may carry filled with one of A's objects. */
async function withEveryObject(route: CatalogueRoute, req: RouteRequest): Promise<RouteRequest> {
  const body = req.body && typeof req.body === "object" ? { ...(req.body as Record<string, unknown>) } : req.body;
  const query = { ...(req.query ?? {}) };
  for (const f of route.objectFields) {
    const value = await objectOf(f.kind, { w: a, ingest });
    if (f.part === "body" && body && typeof body === "object" && !(f.field in body)) {
      (body as Record<string, unknown>)[f.field] = value;
    }
    if (f.part === "query" && !(f.field in query)) query[f.field] = String(value);
  }
  return { ...req, body, query };
}

/** Whether the request as written names one of A's objects (a route may take ids it was not given). */
function namesAnObject(route: CatalogueRoute, req: RouteRequest): boolean {
  const body = (req.body ?? {}) as Record<string, unknown>;
  return route.objectFields.some(
    (f) =>
      f.part === "path" ||
      (f.part === "body" && f.field in body) ||
      (f.part === "query" && f.field in (req.query ?? {})),
  );
}

const send = (route: CatalogueRoute, req: RouteRequest) =>
  call(route.row.method, req.path, {
    token: attacker.token,
    query: req.query,
    body: req.body,
    rawBody: req.rawBody,
    headers: req.headers,
    ip: uniqueIp(),
  });

describe("BOLA: tenant B's administrator names tenant A's objects", { timeout: 120_000 }, () => {
  it("is refused on every route that names an object, and A's objects read back unchanged", async () => {
    const started = Date.now();
    const targets = routes.filter((r) => r.objectFields.length > 0 && !(r.reads && r.pathParams.length === 0));
    const wrong: string[] = [];
    let attempts = 0;
    for (const route of targets) {
      const asWritten = await adminRequest(route, { p: attacker, w: a, pub: a, ingest, fresh: true });
      const variants = [
        ...(namesAnObject(route, asWritten) ? [asWritten] : []),
        await withEveryObject(route, asWritten),
      ];
      for (const req of variants) {
        attempts += 1;
        const kinds = new Set(route.objectFields.map((f) => f.kind));
        const before = await readBack(route, req, kinds);
        const res = await send(route, req);
        const after = await readBack(route, req, kinds);
        const label = `${route.key} ${JSON.stringify(req.body ?? req.query ?? {}).slice(0, 120)}`;
        if (!REFUSED.includes(res.status)) wrong.push(`${label} → ${res.status} ${res.text.slice(0, 200)}`);
        for (const [path, was] of Object.entries(before)) {
          if (after[path] !== was) wrong.push(`${label}: A's ${path} changed`);
        }
      }
    }
    console.log(
      `BOLA: ${targets.length} routes name objects; ${attempts} cross-tenant attempts in ${Date.now() - started} ms`,
    );
    expect(wrong).toEqual([]);
  }, 240_000);

  it("is refused when A's objects are named by value: list entries, blocked ports, SSH keys, a gateway in a form", async () => {
    const key = await a.stableSshKey();
    const gw = await a.stableGateway();
    const cases: [string, Parameters<typeof call>[2]][] = [
      [`${BASE}/firewall/whitelist/manage`, { body: { action: "remove", ip_address: entries.whitelisted } }],
      [`${BASE}/firewall/blacklist/manage`, { body: { action: "remove", ip_address: entries.blacklisted } }],
      [`${BASE}/firewall/ports/manage`, { body: { action: "unblock", port: entries.blockedPort, protocol: "TCP" } }],
      [`${BASE}/ssh/remove-key`, { body: { fingerprint: key.fingerprint, username: key.username } }],
      [
        `${BASE}/ssh/upload-key`,
        multipart([
          { name: "file", value: newSshPublicKey().line, filename: "id_ed25519.pub" },
          { name: "username", value: "ops03" },
          { name: "gateway_id", value: String(gw.id) },
        ]),
      ],
    ];
    const status = await a.make("GET", `${BASE}/firewall/status`);
    const sshBefore = (await a.make("GET", `${BASE}/ssh/settings?gateway_id=${gw.id}`)).text;
    for (const [path, opts] of cases) {
      const res = await call("POST", path, { ...opts, token: attacker.token, ip: uniqueIp() });
      expect(REFUSED, `${path} → ${res.status} ${res.text}`).toContain(res.status);
    }
    expect(normalize((await a.make("GET", `${BASE}/firewall/status`)).text)).toBe(normalize(status.text));
    expect((await a.make("GET", `${BASE}/ssh/settings?gateway_id=${gw.id}`)).text).toBe(sshBefore);
  });

  it("shows nothing of A on any read route of B, with or without A's ids in the query", async () => {
    const reads = routes.filter((r) => r.reads && r.row.permission !== null);
    const leaks: string[] = [];
    let requests = 0;
    for (const route of reads) {
      const named = await withEveryObject(
        route,
        await adminRequest(route, { p: attacker, w: a, pub: a, ingest, fresh: false }),
      );
      // A route with a path parameter has no request of B's own that names nothing (B stays bare).
      const plain = route.pathParams.length
        ? undefined
        : await adminRequest(route, { p: attacker, w: b, pub: b, ingest, fresh: false });
      const variants = plain ? [plain, named] : [named];
      for (const req of variants) {
        requests += 1;
        const res = await send(route, req);
        // What B sent comes back in some answers (a filter echoed, an error naming the field): not a leak.
        let text = res.text;
        for (const sent of [...Object.values(req.query ?? {}), req.path]) text = text.replaceAll(String(sent), "");
        if (res.status >= 500) leaks.push(`${route.key} ${req.path} → ${res.status}`);
        for (const m of markers)
          if (text.includes(m))
            leaks.push(
              `${route.key} ${req.path}?${new URLSearchParams(req.query)} shows '${m}': ${text.slice(0, 200)}`,
            );
      }
    }
    console.log(`BOLA reads: ${reads.length} read routes of B, ${requests} requests`);
    expect(leaks).toEqual([]);
  });
});
