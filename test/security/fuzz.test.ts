/**
 * Fuzz: every route of the table gets property-based requests derived from its OWN schemas
 * (test/helpers/zod-arbitrary.ts) — valid bodies, queries and path parameters, and near-misses
 * of them (wrong types, missing and unknown fields, prototype-polluting keys, huge and hostile
 * strings, deep nesting, numbers at and beyond their bounds, text that is not JSON). Whatever
 * arrives: never a 5xx, never more than 5 s for one request, and the process still answers.
 *
 * Seeded (FUZZ_SEED, printed): a failure names its seed, path and counterexample, and the same
 * seed replays it. FUZZ_RUNS sets the cases per route.
 *
 * Routes are spread over tenants ("worlds") so per-tenant rate windows and each other's side
 * effects stay out of the way: the lock routes get a tenant of their own (a lock refuses
 * everything else), as do the policy routes (a policy change reaches every other route). The
 * caller is the tenant's administrator with a token minted for every request, so a request that
 * ends its sessions (a password reset of itself) does not end the fuzzing.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalIot, usePlatformWithLocalIot } from "#infra/local/iot/index.ts";

const iot = await startLocalIot();
// The shared code reads its environment once: point it at the local IoT Core before importing it.
await usePlatformWithLocalIot(iot);
const { call } = await import("#test/helpers/api.ts");
const { viaTopicRule } = await import("#test/helpers/iot.ts");
const { handler: ingestHandler } = await import("#functions/iot/ingest.ts");
const { concretePath, loadCatalogue } = await import("#test/helpers/route-catalogue.ts");
const { bodyCases, HOSTILE_STRINGS, pathCases, queryCases } = await import("#test/helpers/zod-arbitrary.ts");
const { multipart, newSshPublicKey, uniqueIp, World } = await import("#test/helpers/world.ts");
const { scanRunner } = await import("#test/helpers/cloudsentinel-world.ts");
// The workflow runner, as deployed: a valid scan or training start really starts (2xx, or 409 while one runs).
await scanRunner();

type World = import("#test/helpers/world.ts").World;
type CatalogueRoute = import("#test/helpers/route-catalogue.ts").CatalogueRoute;
type Overrides = import("#test/helpers/zod-arbitrary.ts").Overrides;

const ingest = viaTopicRule(ingestHandler);
const SEED = Number(process.env.FUZZ_SEED ?? 20_260_101);
const RUNS = Number(process.env.FUZZ_RUNS ?? 15);
const SLOW_MS = 5_000;
const BASE = "/cloud-integration/security";

const routes = await loadCatalogue();

/** Routes whose effects reach every other route of their tenant: each group gets a tenant of its own. */
const ISOLATED: Record<string, string[]> = {
  lock: [`POST ${BASE}/lock`, `POST ${BASE}/unlock`],
  policy: [
    `POST ${BASE}/authentication/update`,
    `POST ${BASE}/authentication/profile`,
    `POST ${BASE}/settings/save-all`,
  ],
};
const SHARED_WORLDS = 8;

/** Which world fuzzes a route: isolated groups first, the rest spread so no tenant gets two of a tight rate class. */
function assign(): Map<string, string> {
  const out = new Map<string, string>();
  for (const [group, keys] of Object.entries(ISOLATED)) for (const k of keys) out.set(k, group);
  const load = Array.from({ length: SHARED_WORLDS }, () => ({ total: 0, byClass: new Map<string, number>() }));
  for (const r of routes) {
    if (out.has(r.key)) continue;
    const cls = r.row.rateClass;
    let best = 0;
    for (let i = 1; i < load.length; i++) {
      const a = load[i];
      const b = load[best];
      if (!a || !b) continue;
      const ka = [a.byClass.get(cls) ?? 0, a.total];
      const kb = [b.byClass.get(cls) ?? 0, b.total];
      if ((ka[0] ?? 0) < (kb[0] ?? 0) || ((ka[0] ?? 0) === (kb[0] ?? 0) && (ka[1] ?? 0) < (kb[1] ?? 0))) best = i;
    }
    const slot = load[best];
    if (slot) {
      slot.total += 1;
      slot.byClass.set(cls, (slot.byClass.get(cls) ?? 0) + 1);
    }
    out.set(r.key, `shared-${best}`);
  }
  return out;
}

const placement = assign();
const worlds = new Map<string, World>();
/** Valid values for fields that name objects, per world: what exists there, so valid cases reach the domain. */
const overrides = new Map<string, Overrides>();

/**
 * A world for some routes, with the objects their fields can name (and nothing more: each object
 * made costs setup time). Overrides give valid cases those objects, so they reach the domain.
 */
async function prepare(name: string): Promise<void> {
  const mine = routes.filter((r) => placement.get(r.key) === name);
  const kinds = new Set(mine.flatMap((r) => r.objectFields.map((f) => f.kind)));
  const signsIn = mine.some((r) => r.row.permission === null || r.key.includes("/auth/"));
  const unlocks = mine.some((r) => /\/(un)?lock/.test(r.row.path));
  const w = await World.create(`fuzz-${name}`);
  const o: Overrides = {
    role: fc.constantFrom("minimal", "viewer", "no-such-role"),
    // Webhook destinations that never answer (this machine may reach the internet), and SSRF probes.
    url: fc.constantFrom(
      "https://hooks.invalid/events",
      "http://127.0.0.1/x",
      "https://169.254.169.254/latest/meta-data/",
      "https://[::1]/",
      "file:///etc/passwd",
      "javascript:alert(1)",
      "not a url",
    ),
    // save-all accepts `certificates` only to refuse it: leave it out of valid bodies.
    certificates: fc.constant(undefined),
  };
  const made: Promise<unknown>[] = [];
  if (kinds.has("user") || kinds.has("loginName") || kinds.has("role") || signsIn) {
    made.push(
      w.target().then((t) => {
        o.user_id = fc.constantFrom(t.id, w.admin.id + 1000);
        o.transfer_data_to = fc.constant(t.id);
        o.username = fc.oneof(fc.constant(t.username), fc.stringMatching(/^[a-z][a-z0-9._-]{2,20}$/));
      }),
    );
  }
  if (kinds.has("gateway") || kinds.has("sshSession")) {
    made.push(
      w.stableGateway().then((gw) => (o.gateway_id = fc.oneof(fc.constant(gw.id), fc.integer({ min: 1, max: 5 })))),
    );
  }
  if (kinds.has("firewallRule")) made.push(w.stableRule().then((r) => (o.rule_id = fc.constant(r.id))));
  if (kinds.has("apiKey")) made.push(w.apiKey({ label: "fuzz-key" }).then((k) => (o.key_id = fc.constant(k.id))));
  if (kinds.has("sshKey")) made.push(w.stableSshKey().then((k) => (o.fingerprint = fc.constant(k.fingerprint))));
  if (kinds.has("sshSession")) {
    made.push(w.stableSshSession(ingest).then((x) => (o.session_id = fc.constant(x.sessionId))));
  }
  if (unlocks) {
    made.push(
      w.pin().then((pin) => {
        o.admin_pin = fc.constantFrom(pin, "0000", "99999999");
        o.current_pin = fc.constantFrom(pin, "0000");
      }),
    );
  }
  await Promise.all(made);
  worlds.set(name, w);
  overrides.set(name, o);
}

beforeAll(async () => {
  const names = [...new Set(placement.values())];
  await Promise.all(names.map(prepare));
  console.log(
    `Fuzz: ${routes.length} routes × ${RUNS} cases = ${routes.length * RUNS} requests over ${names.length} tenants (FUZZ_SEED=${SEED})`,
  );
}, 180_000);

afterAll(async () => {
  await iot.stop();
});

interface Case {
  label: string;
  path: string;
  query?: Record<string, string>;
  rawBody?: string | Buffer;
  headers?: Record<string, string>;
}

const encodePath = (v: string) => {
  try {
    return encodeURIComponent(v);
  } catch {
    return v.replace(/[\uD800-\uDFFF]/g, "%EF%BF%BD");
  }
};

function withPath(route: CatalogueRoute, params: Record<string, string>): string {
  return route.row.path.replace(/\{(\w+)\+?\}/g, (_, n: string) => encodePath(params[n] ?? "1"));
}

/** Multipart bodies for a form route (SSH key upload): valid keys, and hostile forms. */
function multipartCases(w: World): fc.Arbitrary<Case> {
  const path = `${BASE}/ssh/upload-key`;
  const text = fc.oneof(fc.constantFrom(...HOSTILE_STRINGS), fc.string({ maxLength: 64 }));
  const form = fc.record({
    file: fc.oneof(
      fc.constant("valid"),
      fc.constantFrom(
        "ssh-rsa AAAA",
        'command="rm -rf /" ssh-ed25519 AAAA x',
        "-----BEGIN SSH2 PUBLIC KEY-----",
        "\u0000",
      ),
      fc.constant("huge"),
      text,
    ),
    username: fc.oneof(fc.constantFrom("ops01", "root", "../etc", ""), text),
    gateway: fc.oneof(fc.constant(undefined), fc.constantFrom("1", "0", "-1", "abc", "999999999999")),
    filename: fc.constantFrom("id_ed25519.pub", "../../etc/passwd", "\u0000.pub", "a".repeat(2000)),
  });
  const raw = fc.constantFrom<Case>(
    { label: "no boundary", path, rawBody: "--x\r\n\r\n", headers: { "content-type": "multipart/form-data" } },
    { label: "JSON instead of a form", path, rawBody: "{}", headers: { "content-type": "application/json" } },
    {
      label: "unterminated part",
      path,
      rawBody: '--b\r\nContent-Disposition: form-data; name="file"\r\n\r\nabc',
      headers: { "content-type": "multipart/form-data; boundary=b" },
    },
    { label: "empty body", path, rawBody: "", headers: { "content-type": "multipart/form-data; boundary=b" } },
  );
  const built = form.map((f) => {
    const value =
      f.file === "valid" ? newSshPublicKey(w.name("fuzz")).line : f.file === "huge" ? "A".repeat(200_000) : f.file;
    const m = multipart([
      { name: "file", value, filename: f.filename },
      { name: "username", value: f.username },
      ...(f.gateway ? [{ name: "gateway_id", value: f.gateway }] : []),
    ]);
    return {
      label: `form ${JSON.stringify({ ...f, file: f.file.slice(0, 20) })}`,
      path,
      rawBody: m.rawBody,
      headers: m.headers,
    };
  });
  return fc.oneof({ weight: 3, arbitrary: built }, { weight: 1, arbitrary: raw });
}

/** What the fuzzer sends to a route: from its path, query and body schemas (or its form). */
function casesFor(route: CatalogueRoute, w: World, o: Overrides): fc.Arbitrary<Case> {
  if (route.row.body === "multipart") return multipartCases(w);
  const parts: fc.Arbitrary<Partial<Case>>[] = [];
  const path = route.pathParams.length
    ? pathCases(route.schemas.path, route.pathParams, o).map((p) => ({
        path: withPath(route, p.params),
        label: `path ${p.label}`,
      }))
    : fc.constant({ path: concretePath(route.row), label: "" });
  parts.push(path);
  if (route.schemas.query || route.row.method === "GET") {
    parts.push(queryCases(route.schemas.query, o).map((q) => ({ query: q.query, label: `query ${q.label}` })));
  }
  if (route.schemas.body || route.row.method !== "GET") {
    parts.push(
      route.schemas.body
        ? bodyCases(route.schemas.body, o).map((b) => ({
            rawBody: b.text,
            label: `body ${b.label}${b.valid ? " (valid)" : ""}`,
          }))
        : fc
            .constantFrom("", "{}", '{"__proto__":{"admin":true}}', "[".repeat(5000))
            .map((t) => ({ rawBody: t, label: "body garbage" })),
    );
  }
  return fc.tuple(...parts).map((ps) => {
    const c = Object.assign({}, ...ps) as Case;
    c.label = ps
      .map((p) => p.label)
      .filter(Boolean)
      .join("; ");
    return c;
  });
}

describe("fuzz: malformed and hostile requests from every route's own schema", () => {
  it.each(routes.map((r) => [r.key, r] as const))(
    "%s: never a 5xx, never over 5 s",
    async (_key, route) => {
      const name = placement.get(route.key) ?? "shared-0";
      const w = worlds.get(name);
      const o = overrides.get(name);
      if (!w || !o) throw new Error(`no world for ${route.key}`);
      const tally: Record<string, number> = {};
      const started = Date.now();
      try {
        await fc.assert(
          fc.asyncProperty(casesFor(route, w, o), async (c) => {
            const token = await w.mint(w.admin);
            const t0 = Date.now();
            let status: number;
            try {
              const res = await call(route.row.method, c.path, {
                token,
                query: c.query,
                rawBody: c.rawBody,
                headers: c.headers,
                ip: uniqueIp(),
              });
              status = res.status;
            } catch (e) {
              throw new Error(`the handler threw instead of answering: ${(e as Error).stack ?? e}`);
            }
            const ms = Date.now() - t0;
            if (process.env.FUZZ_PROFILE && ms > 300)
              console.log(`  slow ${ms} ms ${status}: ${c.label.slice(0, 160)}`);
            tally[status] = (tally[status] ?? 0) + 1;
            if (status >= 500) throw new Error(`answered ${status}`);
            if (ms > SLOW_MS) throw new Error(`took ${ms} ms`);
          }),
          { seed: SEED, numRuns: RUNS, endOnFailure: true },
        );
      } catch (e) {
        throw new Error(`${route.key} (FUZZ_SEED=${SEED}): ${(e as Error).message}`);
      } finally {
        const answers = Object.entries(tally).map(([s, n]) => `${n}× ${s}`);
        console.log(`fuzz ${route.key} [${name}]: ${answers.join(", ")} in ${Date.now() - started} ms`);
      }
    },
    120_000,
  );

  it("still answers afterwards", async () => {
    const w = worlds.get("shared-0");
    if (!w) throw new Error("no world");
    expect((await call("GET", "/.well-known/jwks.json", { ip: uniqueIp() })).status).toBe(200);
    expect((await call("GET", "/api/v1/auth/me", { token: await w.mint(w.admin), ip: uniqueIp() })).status).toBe(200);
  });
});
