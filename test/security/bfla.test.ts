/**
 * BFLA matrix (broken function-level authorization): every route of the table × every built-in
 * role, a custom role, an administrator narrowed below their role, a scoped API key and no
 * credential. Each sends the request that succeeds for an administrator (test/helpers/
 * route-requests.ts), so a refusal can only be the permission's doing. A 2xx is allowed exactly
 * where the principal holds the row's permission (shared/auth/permissions.ts `hasPermission`; an
 * API key also needs it in its scopes), and is then expected; without a credential a non-public
 * route answers 401.
 *
 * Each principal lives in a tenant of its own, so one tenant's per-minute budget is never shared
 * by two principals' requests (fixtures are made with the tenants' own maker keys).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalIot, usePlatformWithLocalIot } from "#infra/local/iot/index.ts";

const iot = await startLocalIot();
// The shared code reads its environment once: point it at the local IoT Core before importing it.
await usePlatformWithLocalIot(iot);
const { call } = await import("#test/helpers/api.ts");
const { viaTopicRule } = await import("#test/helpers/iot.ts");
const { handler: ingestHandler } = await import("#functions/iot/ingest.ts");
const { loadCatalogue, permits } = await import("#test/helpers/route-catalogue.ts");
const { adminRequest, writtenRequests } = await import("#test/helpers/route-requests.ts");
const { credentialsOf, uniqueIp, World } = await import("#test/helpers/world.ts");
const { BUILT_IN_ROLES } = await import("#shared/auth/permissions.ts");

type Principal = import("#test/helpers/world.ts").Principal;
type CatalogueRoute = import("#test/helpers/route-catalogue.ts").CatalogueRoute;

const ingest = viaTopicRule(ingestHandler);

/** A tenant's own role: reads most areas, writes users and the firewall, administers nothing. */
const CUSTOM_ROLE = [
  "users:read",
  "users:write",
  "security:read",
  "audit:read",
  "firewall:read",
  "firewall:write",
  "ssh:read",
  "gateways:read",
];
/** An administrator whose own permissions were narrowed below the admin role's `*`. */
const NARROWED = ["users:read", "audit:read"];
/** An administrator's API key, scoped down to the users area and a few reads. */
const KEY_SCOPES = ["users:*", "security:read", "gateways:read", "ssh:read"];
/** Routes that act on the signed-in user only: an API key is refused there by design (403). */
const USER_ONLY = new Set([
  "POST /cloud-integration/security/users/change-password",
  "POST /cloud-integration/security/users/2fa/enroll",
  "POST /cloud-integration/security/users/2fa/verify",
  "POST /cloud-integration/security/users/2fa/disable",
]);

let routes: CatalogueRoute[];
/**
 * The principals run side by side, but sign-ins of the shared public world's users go one at a
 * time: concurrent sign-ins of one user are finding 2's subject (concurrency.test.ts), not this one's.
 */
let signIns: Promise<unknown> = Promise.resolve();
function oneAtATime<T>(work: () => Promise<T>): Promise<T> {
  const run = signIns.then(work, work);
  signIns = run.catch(() => undefined);
  return run;
}
let principals: Principal[];
let pub: import("#test/helpers/world.ts").World;

async function tokenPrincipal(name: string, role: string, permissions?: string[]): Promise<Principal> {
  const world = await World.create(`bfla-${name.replace(/\W+/g, "-")}`);
  if (!BUILT_IN_ROLES[role]) await world.role(role, CUSTOM_ROLE);
  const user = await world.user({ role, permissions, label: name.replace(/\W+/g, "-") });
  return {
    name,
    world,
    kind: "token",
    grants: { permissions: user.permissions },
    user,
    token: await world.login(user),
  };
}

beforeAll(async () => {
  routes = await loadCatalogue();
  const [admin, apiKeyWorld, ...others] = await Promise.all([
    World.create("bfla-admin"),
    World.create("bfla-key"),
    tokenPrincipal("engineer", "engineer"),
    tokenPrincipal("operator", "operator"),
    tokenPrincipal("technician", "technician"),
    tokenPrincipal("viewer", "viewer"),
    tokenPrincipal("custom role", "auditor"),
    tokenPrincipal("narrowed admin", "admin", NARROWED),
  ]);
  pub = admin;
  const key = await apiKeyWorld.apiKey({ scope: KEY_SCOPES, label: "scoped" });
  principals = [
    {
      name: "admin",
      world: admin,
      kind: "token",
      grants: { permissions: ["*"] },
      user: admin.admin,
      token: admin.admin.token,
    },
    ...others,
    {
      name: "scoped API key",
      world: apiKeyWorld,
      kind: "apiKey",
      grants: { permissions: apiKeyWorld.admin.permissions, scopes: KEY_SCOPES },
      user: apiKeyWorld.admin,
      apiKey: key.key,
    },
    { name: "no credential", world: admin, kind: "none", grants: {} },
  ];
  const generated = routes.filter((r) => !writtenRequests().has(r.key)).map((r) => r.key);
  console.log(
    `BFLA: ${routes.length} routes × ${principals.length} principals = ${routes.length * principals.length} requests` +
      (generated.length ? ` (requests generated from the schema for: ${generated.join(", ")})` : ""),
  );
}, 180_000);

afterAll(async () => {
  await iot.stop();
});

/** The statuses the route may answer this principal, and why. */
function expected(route: CatalogueRoute, p: Principal, generated: boolean): { statuses: number[]; why: string } {
  if (p.kind === "none" && route.row.permission !== null) return { statuses: [401], why: "no credential" };
  if (!permits(route.row, p.grants)) return { statuses: [403], why: `does not hold '${route.row.permission}'` };
  if (p.kind === "apiKey" && USER_ONLY.has(route.key)) return { statuses: [403], why: "user-only route" };
  const ok = route.row.method === "POST" ? [200, 201, 202, 204] : [200, 204];
  // A request generated from the schema may still fail in the domain: it must just get past the permission.
  if (generated) return { statuses: [...ok, 400, 404, 409, 422], why: "holds it (generated request)" };
  return { statuses: ok, why: `holds '${route.row.permission ?? "public"}'` };
}

describe("BFLA: every route × every principal", () => {
  const names = [
    "admin",
    "engineer",
    "operator",
    "technician",
    "viewer",
    "custom role",
    "narrowed admin",
    "scoped API key",
    "no credential",
  ];
  it.concurrent.each(names)(
    "%s gets a 2xx exactly where it holds the route's permission",
    async (name) => {
      const p = principals.find((x) => x.name === name);
      if (!p) throw new Error(`no principal ${name}`);
      const started = Date.now();
      const wrong: string[] = [];
      const tally: Record<number, number> = {};
      for (const route of routes) {
        const fresh = permits(route.row, p.grants) && !(p.kind === "apiKey" && USER_ONLY.has(route.key));
        const send = async () => {
          const req = await adminRequest(route, { p, w: p.world, pub, ingest, fresh });
          const res = await call(route.row.method, req.path, {
            ...(req.credentials ?? credentialsOf(p)),
            query: req.query,
            body: req.body,
            rawBody: req.rawBody,
            headers: req.headers,
            ip: uniqueIp(),
          });
          await req.after?.(res);
          return { req, res };
        };
        const { req, res } = route.row.permission === null ? await oneAtATime(send) : await send();
        tally[res.status] = (tally[res.status] ?? 0) + 1;
        if (res.status === 429)
          throw new Error(`${route.key}: rate-limited — the matrix must spread its requests further`);
        const want = expected(route, p, req.generated ?? false);
        if (!want.statuses.includes(res.status)) {
          wrong.push(
            `${route.key} → ${res.status} (expected ${want.statuses.join("/")}: ${want.why}) ${res.text.slice(0, 160)}`,
          );
        }
      }
      const answers = Object.entries(tally).map(([status, n]) => `${n}× ${status}`);
      console.log(`BFLA ${name}: ${routes.length} routes in ${Date.now() - started} ms (${answers.join(", ")})`);
      expect(wrong).toEqual([]);
    },
    240_000,
  );
});
