/**
 * Contract check against the running server by an independent tool: `npm start` with Stoplight
 * Prism (`prism proxy --errors`) in front of it, validating every request and every response
 * against the OpenAPI document the server itself serves. The walk crosses every surface (securenet,
 * cloudsentinel, platform, gateway) with success and error answers, through the typed client
 * generated from that document (openapi-fetch + test/e2e/client/warden-api.ts), so a drift in
 * either direction fails here or in the typecheck.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import createClient from "openapi-fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { paths } from "./client/warden-api.ts";
import { type Started, startPlatform, startPrism } from "./support/platform.ts";

const PASSWORD = "Walk#Contract-2026x";
let platform: Started;
let prism: Started;
let api: ReturnType<typeof createClient<paths>>;
const seen: { method: string; path: string; status: number }[] = [];

/** Every answer through Prism: none may carry a violation of the document. */
function assertClean(response: Response, what: string) {
  const violations = response.headers.get("sl-violations");
  expect(violations, `${what}: ${violations}`).toBeNull();
  expect(response.headers.get("content-type") ?? "", what).not.toContain("problem+json");
  const url = new URL(response.url);
  seen.push({ method: what.split(" ")[0] ?? "", path: url.pathname, status: response.status });
}

let dataDir: string;

beforeAll(async () => {
  // Its own state directory: the simulated gateway's sandbox is not shared with other e2e files.
  dataDir = await mkdtemp(join(tmpdir(), "warden-walk-"));
  platform = await startPlatform({
    WARDEN_ADMIN_USERNAME: "admin",
    WARDEN_ADMIN_PASSWORD: PASSWORD,
    WARDEN_DATA_DIR: dataDir,
  });
  const doc = await (await fetch(`${platform.url}/openapi.json`)).json();
  const specFile = join(tmpdir(), `warden-openapi-${process.pid}.json`);
  await writeFile(specFile, JSON.stringify(doc));
  prism = await startPrism(specFile, platform.url);
  api = createClient<paths>({ baseUrl: prism.url });
}, 240_000);

afterAll(async () => {
  await prism?.stop();
  await platform?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe("a walk over every surface through Prism", () => {
  it("answers as the document says, successes and errors alike", async () => {
    // securenet: sign in, who am I.
    const login = await api.POST("/api/auth/login", { body: { username: "admin", password: PASSWORD } });
    assertClean(login.response, "POST login");
    expect(login.response.status).toBe(200);
    const token = (login.data?.data as { token?: string } | undefined)?.token ?? "";
    const auth = { headers: { Authorization: `Bearer ${token}` } };
    const me = await api.GET("/api/auth/me", auth);
    assertClean(me.response, "GET me");
    expect(me.data?.data.username).toBe("admin");

    // cloudsentinel: token, me, validate.
    const csToken = await api.POST("/api/v1/auth/token", { body: { username: "admin", password: PASSWORD } });
    assertClean(csToken.response, "POST cloudsentinel token");
    expect(csToken.response.status).toBe(200);
    assertClean((await api.GET("/api/v1/auth/me", auth)).response, "GET cloudsentinel me");
    assertClean((await api.GET("/api/v1/auth/validate", auth)).response, "GET cloudsentinel validate");

    // platform: the token-signing keys.
    const jwks = await api.GET("/.well-known/jwks.json");
    assertClean(jwks.response, "GET jwks");
    expect(jwks.data?.keys[0]?.alg).toBe("ES256");

    // gateway: users, API keys (both header forms), fleet, firewall, SSH, audit, status.
    const S = "/cloud-integration/security";
    const user = await api.POST(`${S}/users/create`, {
      ...auth,
      body: { username: "walk-operator", email: "walk-operator@example.com", password: PASSWORD, role: "operator" },
    });
    assertClean(user.response, "POST users/create");
    expect(user.response.status).toBe(201);
    assertClean((await api.GET(`${S}/users`, auth)).response, "GET users");

    const key = await api.POST(`${S}/api-keys/generate`, {
      ...auth,
      body: { name: "Contract walk", scope: ["firewall:write", "gateways:read"], expiry_days: 1 },
    });
    assertClean(key.response, "POST api-keys/generate");
    const fullKey = key.data?.api_key.full_key ?? "";

    const fleet = await api.GET(`${S}/gateways`, { headers: { "X-API-Key": fullKey } });
    assertClean(fleet.response, "GET gateways (X-API-Key)");
    const gatewayId = fleet.data?.gateways[0]?.id ?? 0;
    expect(gatewayId).toBeGreaterThan(0);
    const one = await api.GET(`${S}/gateways/{gateway_id}`, {
      headers: { Authorization: `Bearer ${fullKey}` },
      params: { path: { gateway_id: gatewayId } },
    });
    assertClean(one.response, "GET gateways/{id} (Bearer key)");

    const added = await api.POST(`${S}/firewall/rules/add`, {
      headers: { "X-API-Key": fullKey },
      body: { name: "Block Telnet", chain: "INPUT", port: "23", protocol: "TCP", action: "DROP", priority: 50 },
    });
    assertClean(added.response, "POST firewall/rules/add");
    expect(added.response.status).toBe(201);
    assertClean((await api.GET(`${S}/firewall/rules`, auth)).response, "GET firewall/rules");
    assertClean((await api.GET(`${S}/firewall/status`, auth)).response, "GET firewall/status");
    const ssh = await api.POST(`${S}/ssh/update`, { ...auth, body: { max_auth_attempts: 3 } });
    assertClean(ssh.response, "POST ssh/update");
    assertClean((await api.GET(`${S}/ssh/settings`, auth)).response, "GET ssh/settings");
    assertClean(
      (await api.GET(`${S}/audit/logs`, { ...auth, params: { query: { limit: 20 } } })).response,
      "GET audit/logs",
    );
    assertClean((await api.GET(`${S}/audit/stats`, auth)).response, "GET audit/stats");
    const csv = await api.GET(`${S}/audit/export`, { ...auth, params: { query: { format: "csv" } }, parseAs: "text" });
    assertClean(csv.response, "GET audit/export");
    expect(csv.response.headers.get("content-type")).toContain("text/csv");
    assertClean((await api.GET(`${S}/status`, auth)).response, "GET status");
    assertClean((await api.GET(`${S}/tokens/settings`, auth)).response, "GET tokens/settings");

    // Errors, in their surface's envelope: unknown gateway (404), refused by permission (403), no credentials (401).
    const missing = await api.GET(`${S}/gateways/{gateway_id}`, { ...auth, params: { path: { gateway_id: 999999 } } });
    assertClean(missing.response, "GET gateways/{id} 404");
    expect(missing.response.status).toBe(404);
    const keyRefused = await api.GET(`${S}/users`, { headers: { "X-API-Key": fullKey } });
    assertClean(keyRefused.response, "GET users with a firewall key");
    expect(keyRefused.response.status).toBe(403);
    const anonymous = await fetch(`${prism.url}/api/v1/auth/me`, { headers: { Authorization: "Bearer not-a-token" } });
    assertClean(anonymous, "GET cloudsentinel me 401");
    expect(anonymous.status).toBe(401);

    expect(new Set(seen.map((s) => s.path.split("/")[1])).size).toBeGreaterThanOrEqual(3);
    expect(prism.output()).not.toMatch(/Violation|✖/);
  }, 180_000);
});
