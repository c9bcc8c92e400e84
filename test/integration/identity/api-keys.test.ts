/**
 * Gateway "API Keys": issue (shown once, stored as a hash only), list, update, revoke, and
 * authentication with a key — scopes, expiry, revocation, address restrictions, per-key rate
 * limit, usage counting — plus the owner-lifecycle hooks other areas call.
 */
import { createHmac, hkdfSync } from "node:crypto";
import { GetCommand, ScanCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { beforeAll, describe, expect, it } from "vitest";
import { readAudit } from "#shared/audit/db/trail.ts";
import { generateApiKey, listApiKeys, revokeApiKeysOfUser, transferApiKeys } from "#shared/identity/api-keys.ts";
import { apiKeyKeys } from "#shared/identity/db/api-keys.ts";
import { getUser, userKeys } from "#shared/identity/db/users.ts";
import type { Principal } from "#shared/identity/principal.ts";
import { db, dbCalls, resetDbCalls, tableName } from "#shared/table/client.ts";
import { readOutbox } from "#shared/tenancy/db/outbox.ts";
import { call, freshIp, newTenant } from "#test/helpers/api.ts";

type Tenant = Awaited<ReturnType<typeof newTenant>>;
const BASE = "/cloud-integration/security/api-keys";
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/;

let acme: Tenant;
let globex: Tenant;
let ops: { id: number; token: string; username: string };
let viewer: { id: number; token: string; username: string };

async function addUser(t: Tenant, role: string) {
  const username = `${role}-${Math.random().toString(36).slice(2, 8)}`;
  const password = "Secure-Passw0rd!x";
  const res = await call("POST", "/api/v1/auth/register", {
    token: t.token,
    body: { email: `${username}@example.com`, username, password, role },
  });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${res.text}`);
  const login = await call("POST", "/api/v1/auth/token", { body: { username, password }, ip: freshIp() });
  return { id: res.body.id as number, token: login.body.access_token as string, username };
}

async function generate(t: Tenant, body: Record<string, unknown>) {
  const res = await call("POST", `${BASE}/generate`, { token: t.token, body });
  if (res.status !== 201) throw new Error(`generate failed: ${res.status} ${res.text}`);
  return res.body.api_key as { id: number; full_key: string; key_prefix: string };
}

beforeAll(async () => {
  [acme, globex] = await Promise.all([newTenant("keys-acme"), newTenant("keys-globex")]);
  [ops, viewer] = await Promise.all([addUser(acme, "admin"), addUser(acme, "viewer")]);
});

describe("POST /cloud-integration/security/api-keys/generate", () => {
  it("answers the spec example with every field, showing the key once", async () => {
    const before = Date.now();
    const res = await call("POST", `${BASE}/generate`, {
      token: acme.token,
      body: {
        name: "Webhook Integration",
        description: "For external webhook notifications",
        scope: ["gateways:read", "firewall:write", "audit:read"],
        user_id: ops.id,
        expiry_days: 90,
        rate_limit: 100,
        ip_restrictions: ["10.0.0.0/8", "192.168.1.100"],
        notification_on_creation: true,
      },
    });
    expect(res.status).toBe(201);
    const k = res.body.api_key;
    expect(res.body).toMatchObject({
      status: "generated",
      warning: "Store this key securely. The full key will not be shown again.",
      download_url: null,
      notifications_sent: true,
    });
    expect(k).toMatchObject({
      id: expect.any(Number),
      name: "Webhook Integration",
      scope: ["gateways:read", "firewall:write", "audit:read"],
      rate_limit: 100,
      ip_restrictions: ["10.0.0.0/8", "192.168.1.100"],
      user: { id: ops.id, username: ops.username },
      description: "For external webhook notifications",
    });
    expect(k.full_key).toMatch(/^sk_[0-9a-f]{64}$/);
    expect(k.key_prefix).toBe(`AK-${String(k.id).padStart(3, "0")}`);
    expect(k.key_start).toBe(k.full_key.slice(0, 8));
    expect(k.created).toMatch(ISO);
    const days = (new Date(k.expires).getTime() - before) / 86_400_000;
    expect(days).toBeGreaterThan(89.99);
    expect(days).toBeLessThan(90.01);
    // The owner is told, and the message never carries the key.
    const mail = (await readOutbox(acme.tenantId)).filter((m) => m.kind === "api_key_generated");
    expect(mail).toHaveLength(1);
    expect(mail[0]).toMatchObject({ channel: "email", to: `${ops.username}@example.com` });
    expect(mail[0]?.body).toContain(k.key_prefix);
    expect(mail[0]?.body).not.toContain(k.full_key.slice(8));
  });

  it("stores the key as an HMAC hash only: no table item holds the plaintext", async () => {
    const key = await generate(acme, { name: "secret-check", scope: ["gateways:read"] });
    const secretPart = key.full_key.slice(3);
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await db.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start }));
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    const dump = JSON.stringify(items);
    expect(dump).not.toContain(secretPart);
    expect(dump).not.toContain(secretPart.slice(0, 32));
    expect(dump).not.toContain(Buffer.from(key.full_key).toString("base64"));

    const pepper = hkdfSync(
      "sha256",
      Buffer.from(String(process.env.WARDEN_DATA_KEY), "base64"),
      "warden",
      "api-key-hash/v1",
      32,
    );
    const hash = createHmac("sha256", Buffer.from(pepper)).update(key.full_key).digest("hex");
    const pointer = (await db.send(new GetCommand({ TableName: tableName, Key: apiKeyKeys.pointer(hash) }))).Item;
    expect(pointer).toMatchObject({ tenantId: acme.tenantId, keyId: key.id, userId: acme.userId });
    const stored = (await db.send(new GetCommand({ TableName: tableName, Key: apiKeyKeys.key(acme.tenantId, key.id) })))
      .Item;
    expect(stored?.hash).toBe(hash);
    expect(stored?.keyStart).toBe(key.full_key.slice(0, 8));
  });

  it("refuses bad input, naming the field", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ name: "x", scope: ["gateways:read"], ip_restrictions: ["10.0.0.0/8", "300.1.1.1"] }, "body.ip_restrictions.1"],
      [{ name: "x", scope: ["gateways:read"], ip_restrictions: ["10.0.0.0/33"] }, "body.ip_restrictions.0"],
      [{ name: "x", scope: ["gateways:read"], ip_restrictions: ["2001:db8::/129"] }, "body.ip_restrictions.0"],
      [{ name: "x", scope: ["gateways:read", "not a scope"] }, "body.scope.1"],
      [{ name: "x", scope: [] }, "body.scope"],
      [{ name: "", scope: ["gateways:read"] }, "body.name"],
      [{ name: "x", scope: ["gateways:read"], expiry_days: 0 }, "body.expiry_days"],
      [{ name: "x", scope: ["gateways:read"], rate_limit: -1 }, "body.rate_limit"],
      [{ name: "x", scope: ["gateways:read"], tenant_id: globex.tenantId }, "body.tenant_id"],
      [{ name: "x", scope: ["gateways:read"], user_id: "2" }, "body.user_id"],
    ];
    for (const [body, field] of cases) {
      const res = await call("POST", `${BASE}/generate`, { token: acme.token, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error).toBe("VALIDATION_ERROR");
      expect(res.body.message).toContain(field);
    }
  });

  it("never issues a key with a scope its owner does not hold", async () => {
    const res = await call("POST", `${BASE}/generate`, {
      token: acme.token,
      body: { name: "too wide", scope: ["gateways:read", "security:admin"], user_id: viewer.id },
    });
    expect(res.status).toBe(400);
    expect(res.body.message).toContain("body.scope.1");
    expect(res.body.message).toContain("security:admin");
    // The viewer does hold gateways:read, so this one is fine.
    const ok = await call("POST", `${BASE}/generate`, {
      token: acme.token,
      body: { name: "viewer key", scope: ["gateways:read"], user_id: viewer.id },
    });
    expect(ok.status).toBe(201);
  });

  it("answers 401 without a token, 403 for a viewer, 404 for a user of no such id", async () => {
    const body = { name: "x", scope: ["gateways:read"] };
    expect((await call("POST", `${BASE}/generate`, { body })).status).toBe(401);
    const denied = await call("POST", `${BASE}/generate`, { token: viewer.token, body });
    expect(denied.status).toBe(403);
    expect(denied.body.message).toContain("security:admin");
    const missing = await call("POST", `${BASE}/generate`, { token: acme.token, body: { ...body, user_id: 9999 } });
    expect(missing.status).toBe(404);
  });
});

describe("generateApiKey (domain rules beyond the route's permission)", () => {
  it("needs users:admin to issue a key for someone else, and never grants what the caller lacks", async () => {
    const admin = await getUser(acme.tenantId, acme.userId);
    if (!admin) throw new Error("no admin");
    // A security administrator who is not a user administrator (a custom role's shape).
    const caller: Principal = {
      kind: "user",
      tenantId: acme.tenantId,
      userId: admin.id,
      username: admin.username,
      role: "security-officer",
      permissions: ["security:admin", "gateways:read"],
      user: { ...admin, permissions: ["security:admin", "gateways:read"] },
      tenant: undefined,
    };
    await expect(generateApiKey(caller, { name: "for ops", scope: ["gateways:read"], userId: ops.id })).rejects.toThrow(
      /users:admin/,
    );
    // The owner (the acme admin, '*') holds users:read, but the caller does not: no.
    await expect(generateApiKey(caller, { name: "mine", scope: ["users:read"] })).rejects.toThrow(
      /Cannot grant 'users:read'/,
    );
    const own = await generateApiKey(caller, { name: "mine", scope: ["gateways:read"] });
    expect(own.key.userId).toBe(admin.id);
  });
});

describe("GET /cloud-integration/security/api-keys", () => {
  it("lists keys with every spec field, computed status and totals; filters by status, user and limit", async () => {
    const t = await newTenant("keys-list");
    const a = await generate(t, {
      name: "CI/CD Pipeline",
      description: "deploys",
      scope: ["gateways:read"],
      rate_limit: 1000,
      ip_restrictions: ["192.168.1.0/24"],
      expiry_days: 30,
    });
    const b = await generate(t, { name: "Expired one", scope: ["gateways:read"], expiry_days: 1 });
    const c = await generate(t, { name: "Revoked one", scope: ["gateways:read"] });
    await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: apiKeyKeys.key(t.tenantId, b.id),
        UpdateExpression: "SET expiresAt = :past",
        ExpressionAttributeValues: { ":past": new Date(Date.now() - 60_000).toISOString() },
      }),
    );
    expect((await call("POST", `${BASE}/revoke`, { token: t.token, body: { key_id: c.id } })).status).toBe(200);

    const res = await call("GET", BASE, { token: t.token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ total: 3, active: 1, expired: 1, revoked: 1 });
    expect(res.body.api_keys.map((k: { id: number }) => k.id)).toEqual([c.id, b.id, a.id]);
    const first = res.body.api_keys.find((k: { id: number }) => k.id === a.id);
    expect(first).toEqual({
      id: a.id,
      name: "CI/CD Pipeline",
      key_prefix: a.key_prefix,
      key_start: a.full_key.slice(0, 8),
      scope: ["gateways:read"],
      user: { id: t.userId, username: t.username },
      created: expect.stringMatching(ISO),
      last_used: null,
      expires: expect.stringMatching(ISO),
      status: "active",
      usage_count: 0,
      rate_limit: 1000,
      ip_restrictions: ["192.168.1.0/24"],
      description: "deploys",
    });
    expect(JSON.stringify(res.body)).not.toContain("full_key");
    expect(JSON.stringify(res.body)).not.toContain("hash");

    const expired = await call("GET", BASE, { token: t.token, query: { status: "expired" } });
    expect(expired.body.api_keys.map((k: { id: number }) => k.id)).toEqual([b.id]);
    expect(expired.body.total).toBe(3);
    const limited = await call("GET", BASE, { token: t.token, query: { limit: "1" } });
    expect(limited.body.api_keys).toHaveLength(1);
    const byUser = await call("GET", BASE, { token: t.token, query: { user_id: "999" } });
    expect(byUser.body).toMatchObject({ api_keys: [], total: 0 });

    const bad = await call("GET", BASE, { token: t.token, query: { status: "dormant" } });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain("query.status");
    const badLimit = await call("GET", BASE, { token: t.token, query: { limit: "0" } });
    expect(badLimit.body.message).toContain("query.limit");
  });

  it("answers 401 without a token, 403 for a viewer, and never lists another tenant's keys", async () => {
    expect((await call("GET", BASE)).status).toBe(401);
    expect((await call("GET", BASE, { token: viewer.token })).status).toBe(403);
    await generate(globex, { name: "globex only", scope: ["gateways:read"] });
    const res = await call("GET", BASE, { token: acme.token });
    expect(res.body.api_keys.some((k: { name: string }) => k.name === "globex only")).toBe(false);
  });
});

describe("POST /cloud-integration/security/api-keys/update", () => {
  it("answers the spec example with the changes it made", async () => {
    const key = await generate(acme, {
      name: "Mobile App Integration",
      scope: ["metrics:read", "gateways:read", "audit:read"],
      rate_limit: 100,
    });
    const before = Date.now();
    const res = await call("POST", `${BASE}/update`, {
      token: acme.token,
      body: {
        key_id: key.id,
        name: "Mobile App v2",
        description: "Updated mobile app integration",
        scope: ["metrics:read", "gateways:read", "audit:read", "firewall:read"],
        expiry_days: 180,
        rate_limit: 200,
        ip_restrictions: ["0.0.0.0/0"],
      },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: "updated",
      key_id: key.id,
      key_name: "Mobile App v2",
      message: "API key updated successfully",
      changes: {
        scope: { added: ["firewall:read"] },
        rate_limit: { old: 100, new: 200 },
        expiry: { old: null, new: expect.stringMatching(ISO) },
        name: { old: "Mobile App Integration", new: "Mobile App v2" },
        ip_restrictions: { added: ["0.0.0.0/0"] },
      },
    });
    expect(res.body.changes.scope).not.toHaveProperty("removed");
    const days = (new Date(res.body.changes.expiry.new).getTime() - before) / 86_400_000;
    expect(Math.round(days)).toBe(180);

    const again = await call("POST", `${BASE}/update`, {
      token: acme.token,
      body: { key_id: key.id, scope: ["gateways:read"], expiry_days: null },
    });
    expect(again.body.changes).toEqual({
      scope: { removed: ["metrics:read", "audit:read", "firewall:read"] },
      expiry: { old: res.body.changes.expiry.new, new: null },
    });
  });

  it("refuses bad input naming the field, scopes beyond the owner, and revoked keys", async () => {
    const key = await generate(acme, { name: "v", scope: ["gateways:read"], user_id: viewer.id });
    const bad = await call("POST", `${BASE}/update`, {
      token: acme.token,
      body: { key_id: key.id, ip_restrictions: ["::1", "nope"] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain("body.ip_restrictions.1");
    const wide = await call("POST", `${BASE}/update`, {
      token: acme.token,
      body: { key_id: key.id, scope: ["users:admin"] },
    });
    expect(wide.status).toBe(400);
    expect(wide.body.message).toContain("body.scope.0");
    const noId = await call("POST", `${BASE}/update`, { token: acme.token, body: { name: "x" } });
    expect(noId.body.message).toContain("body.key_id");
    await call("POST", `${BASE}/revoke`, { token: acme.token, body: { key_id: key.id } });
    expect(
      (await call("POST", `${BASE}/update`, { token: acme.token, body: { key_id: key.id, name: "y" } })).status,
    ).toBe(409);
  });

  it("answers 401, 403, and 404 for another tenant's key id without changing it", async () => {
    const theirs = await generate(globex, { name: "globex key", scope: ["gateways:read"] });
    await Promise.all([1, 2, 3].map(() => generate(globex, { name: "filler", scope: ["gateways:read"] })));
    const farId = theirs.id + 3;
    expect((await call("POST", `${BASE}/update`, { body: { key_id: farId, name: "x" } })).status).toBe(401);
    expect(
      (await call("POST", `${BASE}/update`, { token: viewer.token, body: { key_id: farId, name: "x" } })).status,
    ).toBe(403);
    const res = await call("POST", `${BASE}/update`, {
      token: acme.token,
      body: { key_id: 100_000 + farId, name: "hijacked" },
    });
    expect(res.status).toBe(404);
    const list = await call("GET", BASE, { token: globex.token });
    expect(list.body.api_keys.some((k: { name: string }) => k.name === "hijacked")).toBe(false);
  });
});

describe("POST /cloud-integration/security/api-keys/revoke", () => {
  it("answers the spec example, and the key is refused on the very next request", async () => {
    const key = await generate(acme, { name: "CI/CD Pipeline", scope: ["gateways:read"] });
    expect((await call("GET", "/api/v1/auth/me", { apiKey: key.full_key })).status).toBe(200);
    const res = await call("POST", `${BASE}/revoke`, {
      token: acme.token,
      body: { key_id: key.id, reason: "Security rotation", notify_user: true },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      status: "revoked",
      key_id: key.id,
      key_name: "CI/CD Pipeline",
      message: "API key revoked successfully",
      user_notified: true,
      sessions_terminated: 1,
    });
    const mail = (await readOutbox(acme.tenantId)).filter((m) => m.kind === "api_key_revoked");
    expect(mail.at(-1)?.body).toContain("Security rotation");
    const after = await call("GET", "/api/v1/auth/me", { apiKey: key.full_key });
    expect(after.status).toBe(401);
    expect(after.body.detail).toBe("API key has been revoked");
    const twice = await call("POST", `${BASE}/revoke`, { token: acme.token, body: { key_id: key.id } });
    expect(twice.status).toBe(409);
  });

  it("counts no live client for a key unused in the last 15 minutes", async () => {
    const key = await generate(acme, { name: "idle", scope: ["gateways:read"] });
    const res = await call("POST", `${BASE}/revoke`, { token: acme.token, body: { key_id: key.id } });
    expect(res.body.sessions_terminated).toBe(0);
  });

  it("answers 400 naming the field, 401, 403, and 404 for another tenant's key id without revoking it", async () => {
    expect(
      (await call("POST", `${BASE}/revoke`, { token: acme.token, body: { key_id: "one" } })).body.message,
    ).toContain("body.key_id");
    const theirs = await generate(globex, { name: "globex revoke target", scope: ["gateways:read"] });
    expect((await call("POST", `${BASE}/revoke`, { body: { key_id: theirs.id } })).status).toBe(401);
    expect((await call("POST", `${BASE}/revoke`, { token: viewer.token, body: { key_id: theirs.id } })).status).toBe(
      403,
    );
    const res = await call("POST", `${BASE}/revoke`, { token: acme.token, body: { key_id: 100_000 + theirs.id } });
    expect(res.status).toBe(404);
    expect((await call("GET", "/api/v1/auth/me", { apiKey: theirs.full_key })).status).toBe(200);
  });
});

describe("authenticating with an API key", () => {
  it("works as X-API-Key and as Bearer sk_…, as the key's owner, counting each use", async () => {
    const t = await newTenant("keys-auth");
    const key = await generate(t, { name: "me", scope: ["gateways:read"] });
    const viaHeader = await call("GET", "/api/v1/auth/me", { apiKey: key.full_key });
    expect(viaHeader.status).toBe(200);
    expect(viaHeader.body).toMatchObject({ id: t.userId, username: t.username });
    const viaBearer = await call("GET", "/api/v1/auth/me", { headers: { authorization: `Bearer ${key.full_key}` } });
    expect(viaBearer.status).toBe(200);
    const list = await call("GET", BASE, { token: t.token });
    const listed = list.body.api_keys.find((k: { id: number }) => k.id === key.id);
    expect(listed.usage_count).toBe(2);
    expect(Date.now() - new Date(listed.last_used).getTime()).toBeLessThan(60_000);
  });

  it("refuses unknown, malformed and expired keys with 401", async () => {
    const t = await newTenant("keys-expired");
    expect((await call("GET", "/api/v1/auth/me", { apiKey: `sk_${"0".repeat(64)}` })).status).toBe(401);
    expect((await call("GET", "/api/v1/auth/me", { apiKey: "sk_short" })).status).toBe(401);
    const key = await generate(t, { name: "soon", scope: ["gateways:read"], expiry_days: 1 });
    await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: apiKeyKeys.key(t.tenantId, key.id),
        UpdateExpression: "SET expiresAt = :past",
        ExpressionAttributeValues: { ":past": new Date(Date.now() - 1000).toISOString() },
      }),
    );
    const res = await call("GET", "/api/v1/auth/me", { apiKey: key.full_key });
    expect(res.status).toBe(401);
    expect(res.body.detail).toBe("API key has expired");
  });

  it("refuses a key whose owner is locked", async () => {
    const t = await newTenant("keys-owner");
    const key = await generate(t, { name: "owner", scope: ["gateways:read"] });
    await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: userKeys.user(t.tenantId, t.userId),
        UpdateExpression: "SET #s = :locked, lockedUntil = :until",
        ExpressionAttributeNames: { "#s": "status" },
        ExpressionAttributeValues: { ":locked": "locked", ":until": new Date(Date.now() + 3_600_000).toISOString() },
      }),
    );
    const res = await call("GET", "/api/v1/auth/me", { apiKey: key.full_key });
    expect(res.status).toBe(401);
    expect(res.body.detail).toMatch(/owner/);
  });

  it("refuses addresses outside ip_restrictions with 403, and accepts those inside (IPv4 CIDR, IPv6)", async () => {
    const key = await generate(acme, {
      name: "ip",
      scope: ["gateways:read"],
      ip_restrictions: ["10.0.0.0/8", "2001:db8::/32"],
    });
    const outside = await call("GET", "/api/v1/auth/me", { apiKey: key.full_key, ip: "203.0.113.9" });
    expect(outside.status).toBe(403);
    expect(outside.body.detail).toContain("203.0.113.9");
    expect((await call("GET", "/api/v1/auth/me", { apiKey: key.full_key, ip: "10.20.30.40" })).status).toBe(200);
    expect((await call("GET", "/api/v1/auth/me", { apiKey: key.full_key, ip: "2001:db8::42" })).status).toBe(200);
  });

  it("does not write refused (429) calls of a mutating route to the audit trail", async () => {
    const key = await generate(acme, { name: "roles-bot", scope: ["users:admin"], rate_limit: 2 });
    for (let attempt = 0; attempt < 2; attempt++) {
      const results = [];
      for (let i = 0; i < 3; i++) {
        results.push(
          await call("POST", "/cloud-integration/security/roles", {
            apiKey: key.full_key,
            body: { name: `bot-role-${attempt}-${i}`, description: "made by a script", permissions: ["users:read"] },
          }),
        );
      }
      if (new Set(results.map((r) => r.headers["X-RateLimit-Reset"])).size > 1) continue; // crossed a window
      expect(results.map((r) => r.status)).toEqual([201, 201, 429]);
      const trail = await readAudit(acme.tenantId, new Date(Date.now() - 120_000), new Date());
      expect(trail.filter((r) => r.event_type === "role_created" && r.status === "failed")).toEqual([]);
      return;
    }
    throw new Error("could not stay within one rate-limit window");
  });

  it("limits a key to its own rate_limit per minute with 429", async () => {
    const key = await generate(acme, { name: "slow", scope: ["gateways:read"], rate_limit: 3 });
    for (let attempt = 0; attempt < 2; attempt++) {
      const results = [];
      for (let i = 0; i < 4; i++) results.push(await call("GET", "/api/v1/auth/me", { apiKey: key.full_key }));
      const windows = new Set(results.map((r) => r.headers["X-RateLimit-Reset"]));
      if (windows.size > 1) continue; // crossed a minute boundary: the counts restarted, try once more
      expect(results.map((r) => r.status)).toEqual([200, 200, 200, 429]);
      expect(results[3]?.headers["X-RateLimit-Limit"]).toBe("3");
      return;
    }
    throw new Error("could not stay within one rate-limit window");
  });

  it("lets a key act only within its scopes (and its owner's permissions)", async () => {
    const narrow = await generate(acme, { name: "narrow", scope: ["gateways:read"] });
    const reader = await generate(acme, { name: "reader", scope: ["security:read"] });
    expect((await call("GET", BASE, { apiKey: narrow.full_key })).status).toBe(403);
    expect((await call("GET", BASE, { apiKey: reader.full_key })).status).toBe(200);
    const auditor = await generate(acme, { name: "auditor", scope: ["audit:read"] });
    const noAudit = await call("GET", "/cloud-integration/security/audit/logs", { apiKey: reader.full_key });
    expect(noAudit.status).toBe(403);
    expect(noAudit.body.message).toContain("audit:read");
    expect((await call("GET", "/cloud-integration/security/audit/logs", { apiKey: auditor.full_key })).status).toBe(
      200,
    );
    // A viewer's key may carry only what the viewer holds, so it can never read the audit log.
    const viewers = await generate(acme, { name: "viewer's", scope: ["gateways:read"], user_id: viewer.id });
    expect((await call("GET", "/cloud-integration/security/audit/logs", { apiKey: viewers.full_key })).status).toBe(
      403,
    );
    // security:read does not reach security:admin routes.
    const escalate = await call("POST", `${BASE}/generate`, {
      apiKey: reader.full_key,
      body: { name: "x", scope: ["*"] },
    });
    expect(escalate.status).toBe(403);
  });

  it("costs at most 4 DynamoDB calls on a cold pointer and 3 warm for GET /api/v1/auth/me, never a Scan", async () => {
    const t = await newTenant("keys-calls");
    const key = await generate(t, { name: "calls", scope: ["gateways:read"] });
    resetDbCalls();
    expect((await call("GET", "/api/v1/auth/me", { apiKey: key.full_key })).status).toBe(200);
    const cold = dbCalls();
    resetDbCalls();
    expect((await call("GET", "/api/v1/auth/me", { apiKey: key.full_key })).status).toBe(200);
    const warm = dbCalls();
    console.info("API-key GET /api/v1/auth/me DynamoDB calls", { cold, warm });
    expect(cold.total).toBeLessThanOrEqual(4);
    expect(warm.total).toBeLessThanOrEqual(3);
    expect(cold.byCommand.ScanCommand).toBeUndefined();
  });
});

describe("owner lifecycle hooks", () => {
  it("revokeApiKeysOfUser revokes every live key of that user only", async () => {
    const t = await newTenant("keys-hooks");
    const other = await addUser(t, "viewer");
    const mine = await generate(t, { name: "mine", scope: ["gateways:read"], user_id: other.id });
    const kept = await generate(t, { name: "admin's", scope: ["gateways:read"] });
    expect(await revokeApiKeysOfUser(t.tenantId, other.id)).toBe(1);
    expect((await call("GET", "/api/v1/auth/me", { apiKey: mine.full_key })).status).toBe(401);
    expect((await call("GET", "/api/v1/auth/me", { apiKey: kept.full_key })).status).toBe(200);
  });

  it("transferApiKeys hands keys to the new owner, dropping scopes the new owner lacks", async () => {
    const t = await newTenant("keys-transfer");
    const leaving = await addUser(t, "admin");
    const heir = await addUser(t, "viewer");
    const wide = await generate(t, { name: "wide", scope: ["gateways:read", "security:read"], user_id: leaving.id });
    const adminOnly = await generate(t, { name: "admin only", scope: ["security:admin"], user_id: leaving.id });
    expect(await transferApiKeys(t.tenantId, leaving.id, heir.id)).toEqual({ transferred: 1, revoked: 1 });
    const heirs = await listApiKeys(t.tenantId, { userId: heir.id });
    expect(heirs.map((k) => [k.id, k.scopes])).toEqual([[wide.id, ["gateways:read"]]]);
    const me = await call("GET", "/api/v1/auth/me", { apiKey: wide.full_key });
    expect(me.body.username).toBe(heir.username);
    expect((await call("GET", "/api/v1/auth/me", { apiKey: adminOnly.full_key })).status).toBe(401);
    await expect(transferApiKeys(t.tenantId, heir.id, 9999)).rejects.toThrow(/not found/);
  });
});
