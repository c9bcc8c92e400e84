/**
 * What the audit trail says about who did what: a refused request (403) is an `access_denied`
 * record naming what it attempted — never a failed instance of the mutation — so the statistics
 * count only changes that happened; and an action taken with an API key carries the key's id
 * (`api_key_id`, its prefix) beside the key's owner, whichever header the key came in.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { AuditLogsResponse, AuditStatsResponse } from "#shared/audit/views.ts";
import { call, freshIp, newTenant } from "#test/helpers/api.ts";

type Tenant = Awaited<ReturnType<typeof newTenant>>;
const S = "/cloud-integration/security";
const PW = "Sturdy#Harbor-2041";
const rule = (name: string) => ({ name, chain: "INPUT", port: "23", protocol: "TCP", action: "DROP", priority: 50 });

let acme: Tenant;
let viewer: { username: string; token: string };

beforeAll(async () => {
  acme = await newTenant("attribution");
  const username = `viewer-${acme.tenantId}`.slice(0, 40);
  const reg = await call("POST", "/api/v1/auth/register", {
    token: acme.token,
    body: { email: `${username}@example.com`, username, password: PW, role: "viewer" },
  });
  expect(reg.status).toBe(201);
  const login = await call("POST", "/api/auth/login", { body: { username, password: PW }, ip: freshIp() });
  viewer = { username, token: login.body.data.token };
});

async function logs(query: Record<string, string>) {
  const res = await call("GET", `${S}/audit/logs`, { token: acme.token, query: { limit: "100", ...query } });
  expect(res.status).toBe(200);
  return AuditLogsResponse.parse(res.body).logs;
}

describe("a refused request in the audit trail", () => {
  it("is access_denied naming what it attempted, and the stats count only the rule that was added", async () => {
    expect((await call("POST", `${S}/firewall/rules/add`, { token: viewer.token, body: rule("Nope") })).status).toBe(
      403,
    );
    expect(
      (await call("POST", `${S}/firewall/rules/add`, { token: acme.token, body: rule("Block Telnet") })).status,
    ).toBe(201);

    const added = await logs({ event_type: "firewall_rule_added" });
    expect(added.map((r) => [r.user, r.status])).toEqual([[acme.username, "success"]]);
    const denied = await logs({ event_type: "access_denied" });
    expect(denied).toHaveLength(1);
    expect(denied[0]).toMatchObject({
      user: viewer.username,
      event: "Access Denied",
      status: "failed",
      severity: "warning",
      resource: `${S}/firewall/rules/add`,
      details: { attempted: "firewall_rule_added", status: 403 },
    });

    const stats = await call("GET", `${S}/audit/stats`, { token: acme.token });
    const b = AuditStatsResponse.parse(stats.body);
    expect(b.last_24_hours.firewall_changes).toBe(1);
    expect(b.last_24_hours.access_denied).toBe(1);
  });
});

describe("an action taken with an API key", () => {
  it("records the key's id beside its owner, for both header forms", async () => {
    const gen = await call("POST", `${S}/api-keys/generate`, {
      token: acme.token,
      body: { name: "CI pipeline", scope: ["firewall:write"], expiry_days: 30 },
    });
    expect(gen.status).toBe(201);
    const key = gen.body.api_key as { full_key: string; key_prefix: string };

    const viaHeader = await call("POST", `${S}/firewall/rules/add`, {
      apiKey: key.full_key,
      body: rule("Via X-API-Key"),
    });
    expect(viaHeader.status).toBe(201);
    const viaBearer = await call("POST", `${S}/firewall/rules/add`, {
      headers: { authorization: `Bearer ${key.full_key}` },
      body: rule("Via Bearer"),
    });
    expect(viaBearer.status).toBe(201);

    const byKey = (await logs({ event_type: "firewall_rule_added" })).filter((r) => r.api_key_id !== null);
    expect(byKey.map((r) => [r.user, r.api_key_id, r.status])).toEqual([
      [acme.username, key.key_prefix, "success"],
      [acme.username, key.key_prefix, "success"],
    ]);
    // The admin's own signed-in action carries no key.
    const own = (await logs({ event_type: "firewall_rule_added" })).filter((r) => r.api_key_id === null);
    expect(own.map((r) => r.user)).toEqual([acme.username]);
    // Nothing secret in the record: the prefix, never the key.
    expect(JSON.stringify(byKey)).not.toContain(key.full_key);
  });
});
