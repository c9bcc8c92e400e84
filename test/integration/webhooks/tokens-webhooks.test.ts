/**
 * Gateway "Get Token Settings" / "Regenerate Webhook Secret" and the webhook behind them:
 * settings that describe what the platform really does, a secret shown once and stored
 * envelope-encrypted, signed deliveries with retries, and no delivery to private addresses.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import type { DynamoDBStreamEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handler as streamHandler } from "#functions/workers/webhook-dispatch.ts";
import { auditKeys } from "#shared/audit/db/trail.ts";
import { auditRecordsFromStream, readAudit } from "#shared/audit/trail.ts";
import { decryptSecret } from "#shared/crypto/envelope.ts";
import { putCustomRole } from "#shared/identity/db/roles.ts";
import { tokenTtlSeconds } from "#shared/identity/token-settings.ts";
import { db, tableName } from "#shared/table/client.ts";
import { webhookSettings } from "#shared/webhooks/db/webhook-settings.ts";
import { deliverWebhook } from "#shared/webhooks/delivery.ts";
import { dispatchWebhooksForAuditRecords } from "#shared/webhooks/dispatch.ts";
import { WEBHOOK_EVENTS } from "#shared/webhooks/events.ts";
import { configureWebhook, regenerateWebhookSecret } from "#shared/webhooks/settings.ts";
import { verifyWebhookSignature } from "#shared/webhooks/signing.ts";
import streamFixture from "#test/events/audit-stream-batch.json" with { type: "json" };
import { call, freshIp, newTenant } from "#test/helpers/api.ts";

type Tenant = Awaited<ReturnType<typeof newTenant>>;
const BASE = "/cloud-integration/security/tokens";
const PUBLIC_URL = "https://93.184.215.14/events";

let acme: Tenant;
let globex: Tenant;
let viewerToken: string;

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A local receiver that answers with the queued statuses (then 200), recording every request. */
function receiver() {
  const received: Received[] = [];
  const statuses: number[] = [];
  let hang = false;
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      received.push({ headers: req.headers, body });
      if (hang) return;
      res.statusCode = statuses.shift() ?? 200;
      res.end("ok");
    });
  });
  return {
    received,
    statuses,
    hang: (on: boolean) => {
      hang = on;
    },
    start: () =>
      new Promise<string>((resolve) =>
        server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`)),
      ),
    stop: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

beforeAll(async () => {
  [acme, globex] = await Promise.all([newTenant("tok-acme"), newTenant("tok-globex")]);
  const password = "Secure-Passw0rd!x";
  const username = `viewer-${acme.tenantId.slice(-8)}`;
  await call("POST", "/api/v1/auth/register", {
    token: acme.token,
    body: { email: `${username}@example.com`, username, password },
  });
  viewerToken = (await call("POST", "/api/v1/auth/token", { body: { username, password }, ip: freshIp() })).body
    .access_token;
});

describe("GET /cloud-integration/security/tokens/settings", () => {
  it("answers every spec field from what the platform actually does", async () => {
    await putCustomRole({
      tenantId: acme.tenantId,
      name: "auditor",
      description: "reads the trail",
      permissions: ["audit:read", "security:read"],
      createdAt: new Date().toISOString(),
      createdBy: null,
    });
    const res = await call("GET", `${BASE}/settings`, { token: acme.token });
    expect(res.status).toBe(200);
    const [header, payload] = acme.token
      .split(".")
      .slice(0, 2)
      .map((p) => JSON.parse(Buffer.from(p, "base64url").toString()));
    expect(res.body.token_settings).toEqual({
      jwt_expiry_days: Number((3600 / 86_400).toFixed(6)),
      access_token_ttl_seconds: 3600,
      refresh_token_expiry_days: null,
      issuer: payload.iss,
      audience: [payload.aud],
      algorithm: header.alg,
    });
    expect(header.alg).toBe("ES256");
    expect(res.body.permission_mapping).toMatchObject({
      admin: ["*"],
      viewer: expect.arrayContaining(["gateways:read"]),
      engineer: expect.any(Array),
      operator: expect.any(Array),
      technician: expect.any(Array),
      auditor: ["audit:read", "security:read"],
    });
    expect(res.body.webhook).toEqual({
      secret: null,
      url: null,
      enabled: false,
      // Unconfigured, a webhook would carry every event Warden sends: the spec's seven, then the scans'.
      events: [...WEBHOOK_EVENTS],
      retry_count: 3,
      timeout_seconds: 10,
      signature_header: "X-Webhook-Signature",
      signature_format: expect.stringContaining("HMAC-SHA256"),
    });
    expect(res.body.rate_limiting).toMatchObject({ enabled: true, requests_per_minute: 100, burst_size: 100 });
  });

  it("answers 401 without a token and 403 for a viewer", async () => {
    expect((await call("GET", `${BASE}/settings`)).status).toBe(401);
    expect((await call("GET", `${BASE}/settings`, { token: viewerToken })).status).toBe(403);
  });
});

describe("POST /cloud-integration/security/tokens/settings (beyond the spec)", () => {
  it("shortens the tenant's access-token lifetime, never lengthens it, and tokenTtlSeconds reports it", async () => {
    const t = await newTenant("tok-ttl");
    const res = await call("POST", `${BASE}/settings`, { token: t.token, body: { access_token_ttl_seconds: 900 } });
    expect(res.status).toBe(200);
    expect(res.body.changes).toEqual({ access_token_ttl_seconds: { old: 3600, new: 900 } });
    expect(await tokenTtlSeconds(t.tenantId)).toBe(900);
    const get = await call("GET", `${BASE}/settings`, { token: t.token });
    expect(get.body.token_settings).toMatchObject({ access_token_ttl_seconds: 900, jwt_expiry_days: 0.010417 });
    expect(await tokenTtlSeconds(globex.tenantId)).toBe(3600);
    // The next sign-in of that tenant gets the shorter lifetime.
    const signIn = await call("POST", "/api/v1/auth/token", {
      body: { username: t.username, password: t.password },
      ip: freshIp(),
    });
    expect(signIn.body.expires_in).toBe(900);

    const tooLong = await call("POST", `${BASE}/settings`, {
      token: t.token,
      body: { access_token_ttl_seconds: 7200 },
    });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.message).toContain("body.access_token_ttl_seconds");
    expect(
      (await call("POST", `${BASE}/settings`, { token: t.token, body: { access_token_ttl_seconds: 10 } })).status,
    ).toBe(400);
    expect(
      (await call("POST", `${BASE}/settings`, { token: viewerToken, body: { access_token_ttl_seconds: 900 } })).status,
    ).toBe(403);
    expect((await call("POST", `${BASE}/settings`, { body: { access_token_ttl_seconds: 900 } })).status).toBe(401);
  });
});

describe("POST /cloud-integration/security/tokens/webhook (beyond the spec)", () => {
  it("sets the webhook, returns the new signing secret once, stores it encrypted, and shows it masked after", async () => {
    const t = await newTenant("tok-hook");
    const res = await call("POST", `${BASE}/webhook`, {
      token: t.token,
      body: {
        url: PUBLIC_URL,
        enabled: true,
        events: ["login", "api_key_generated"],
        retry_count: 2,
        timeout_seconds: 5,
      },
    });
    expect(res.status).toBe(200);
    const secret: string = res.body.webhook.secret;
    expect(secret).toMatch(/^whsec_[0-9a-f]{64}$/);
    expect(res.body.webhook).toMatchObject({
      url: PUBLIC_URL,
      enabled: true,
      events: ["login", "api_key_generated"],
      retry_count: 2,
      timeout_seconds: 5,
    });
    expect(res.body.warning).toMatch(/not be shown again/);

    const stored = (await db.send(new GetCommand({ TableName: tableName, Key: webhookSettings.key(t.tenantId) }))).Item;
    expect(JSON.stringify(stored)).not.toContain(secret.slice(6));
    expect(await decryptSecret(t.tenantId, String(stored?.secret))).toBe(secret);

    const get = await call("GET", `${BASE}/settings`, { token: t.token });
    expect(get.body.webhook.secret).toBe(`whsec_…${secret.slice(-4)}`);
    const again = await call("POST", `${BASE}/webhook`, { token: t.token, body: { retry_count: 3 } });
    expect(again.body.webhook.secret).toBe(`whsec_…${secret.slice(-4)}`);
    expect(again.body.changes).toEqual({ retry_count: { old: 2, new: 3 } });
    expect(again.body).not.toHaveProperty("warning");

    const trail = await readAudit(t.tenantId, new Date(Date.now() - 60_000), new Date());
    const updates = trail.filter((r) => r.event_type === "webhook_updated");
    expect(updates).toHaveLength(2);
    expect(JSON.stringify(trail)).not.toContain(secret.slice(6));
  });

  it("refuses http, private and loopback destinations, unknown events and bad numbers, naming the field", async () => {
    const t = await newTenant("tok-hook-bad");
    const cases: [Record<string, unknown>, string, RegExp?][] = [
      [{ url: "http://93.184.215.14/events" }, "body.url", /https/],
      [{ url: "https://127.0.0.1/events" }, "body.url", /non-public/],
      [{ url: "https://10.1.2.3/events" }, "body.url", /non-public/],
      [{ url: "https://169.254.169.254/latest" }, "body.url", /non-public/],
      [{ url: "https://localhost/events" }, "body.url", /non-public/],
      [{ url: "https://[fd00::1]/events" }, "body.url", /non-public/],
      [{ enabled: true }, "body.url", /required/],
      [{ url: PUBLIC_URL, events: ["login", "bogus"] }, "body.events.1"],
      [{ url: PUBLIC_URL, retry_count: 11 }, "body.retry_count"],
      [{ url: PUBLIC_URL, timeout_seconds: 0 }, "body.timeout_seconds"],
      [{ url: PUBLIC_URL, secret: "whsec_mine" }, "body.secret"],
    ];
    for (const [body, field, pattern] of cases) {
      const res = await call("POST", `${BASE}/webhook`, { token: t.token, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.message).toContain(field);
      if (pattern) expect(res.body.message).toMatch(pattern);
    }
    const get = await call("GET", `${BASE}/settings`, { token: t.token });
    expect(get.body.webhook).toMatchObject({ url: null, secret: null });
  });

  it("answers 401 without a token and 403 for a viewer", async () => {
    expect((await call("POST", `${BASE}/webhook`, { body: { url: PUBLIC_URL } })).status).toBe(401);
    expect((await call("POST", `${BASE}/webhook`, { token: viewerToken, body: { url: PUBLIC_URL } })).status).toBe(403);
  });
});

describe("POST /cloud-integration/security/tokens/regenerate-secret", () => {
  it("answers the spec example: a new secret once, the old one masked, invalidated now", async () => {
    const t = await newTenant("tok-rotate");
    const first = await call("POST", `${BASE}/webhook`, { token: t.token, body: { url: PUBLIC_URL } });
    const oldSecret: string = first.body.webhook.secret;
    const before = Date.now();
    const res = await call("POST", `${BASE}/regenerate-secret`, {
      token: t.token,
      body: { invalidate_old: true, notify_webhooks: true, reason: "Security rotation" },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      status: "regenerated",
      new_secret: expect.stringMatching(/^whsec_[0-9a-f]{64}$/),
      old_secret: `whsec_…${oldSecret.slice(-4)}`,
      message: "Webhook secret regenerated successfully",
      // The webhook is not enabled, so nobody was notified.
      webhooks_notified: false,
      invalidation_time: expect.any(String),
    });
    expect(res.text).not.toContain(oldSecret);
    expect(new Date(res.body.invalidation_time).getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(new Date(res.body.invalidation_time).getTime()).toBeLessThanOrEqual(Date.now());
    const get = await call("GET", `${BASE}/settings`, { token: t.token });
    expect(get.body.webhook.secret).toBe(`whsec_…${res.body.new_secret.slice(-4)}`);
    const trail = await readAudit(t.tenantId, new Date(Date.now() - 60_000), new Date());
    expect(trail.find((r) => r.event_type === "webhook_secret_regenerated")).toMatchObject({
      event: "Webhook Secret Regenerated",
      details: expect.objectContaining({ reason: "Security rotation", invalidate_old: true }),
    });
  });

  it("keeps the old secret valid for 24 hours with invalidate_old false", async () => {
    const t = await newTenant("tok-grace");
    await call("POST", `${BASE}/webhook`, { token: t.token, body: { url: PUBLIC_URL } });
    const res = await call("POST", `${BASE}/regenerate-secret`, { token: t.token, body: { invalidate_old: false } });
    const hours = (new Date(res.body.invalidation_time).getTime() - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(23.9);
    expect(hours).toBeLessThanOrEqual(24);
    const stored = (await db.send(new GetCommand({ TableName: tableName, Key: webhookSettings.key(t.tenantId) }))).Item;
    expect(stored?.previousValidUntil).toBe(res.body.invalidation_time);
  });

  it("creates a first secret when none exists, refuses bad input, 401 and 403", async () => {
    const t = await newTenant("tok-first");
    const res = await call("POST", `${BASE}/regenerate-secret`, { token: t.token, body: {} });
    expect(res.status).toBe(200);
    expect(res.body.old_secret).toBeNull();
    const bad = await call("POST", `${BASE}/regenerate-secret`, { token: t.token, body: { invalidate_old: "yes" } });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain("body.invalidate_old");
    expect((await call("POST", `${BASE}/regenerate-secret`, { body: {} })).status).toBe(401);
    expect((await call("POST", `${BASE}/regenerate-secret`, { token: viewerToken, body: {} })).status).toBe(403);
  });

  it("changes only the caller's tenant", async () => {
    const before = await call("GET", `${BASE}/settings`, { token: globex.token });
    await call("POST", `${BASE}/regenerate-secret`, { token: acme.token, body: {} });
    const after = await call("GET", `${BASE}/settings`, { token: globex.token });
    expect(after.body.webhook).toEqual(before.body.webhook);
  });
});

describe("webhook delivery", () => {
  const hook = receiver();
  let url = "";
  beforeAll(async () => {
    url = await hook.start();
  });
  afterAll(() => hook.stop());

  it("signs each audit event, retries a 500 with backoff, and delivers", async () => {
    const t = await newTenant("hook-deliver");
    // Local receiver: the operator's private-address switch, passed explicitly.
    const { secret } = await configureWebhook(
      t.tenantId,
      { url, enabled: true, retryCount: 3, timeoutSeconds: 2 },
      { allowPrivate: true },
    );
    const gen = await call("POST", "/cloud-integration/security/api-keys/generate", {
      token: t.token,
      body: { name: "hooked", scope: ["gateways:read"] },
    });
    expect(gen.status).toBe(201);
    const records = (await readAudit(t.tenantId, new Date(Date.now() - 60_000), new Date())).map((record) => ({
      tenantId: t.tenantId,
      record,
    }));
    hook.received.length = 0;
    hook.statuses.push(500);
    const outcomes = await dispatchWebhooksForAuditRecords(records, { allowPrivate: true, backoffMs: 10 });
    // tenant_created (signup) is not a webhook event; api_key_generated is.
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({
      type: "api_key_generated",
      result: { delivered: true, attempts: 2, status: 200 },
    });
    expect(hook.received).toHaveLength(2);
    const last = hook.received[1];
    const sig = String(last?.headers["x-webhook-signature"]);
    expect(sig).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature(sig, last?.body ?? "", secret ?? "")).toBe(true);
    expect(verifyWebhookSignature(sig, last?.body ?? "", "whsec_wrong")).toBe(false);
    const event = JSON.parse(last?.body ?? "{}");
    expect(event).toMatchObject({
      type: "api_key_generated",
      data: {
        event: "API Key Generated",
        user: t.username,
        status: "success",
        details: expect.objectContaining({ name: "hooked" }),
      },
    });
    expect(JSON.stringify(event)).not.toContain(gen.body.api_key.full_key);
    expect(last?.headers["x-webhook-id"]).toBe(event.id);
    expect(last?.headers["x-webhook-event"]).toBe("api_key_generated");
  });

  it("co-signs with the old secret during a rotation's grace period, and notifies the endpoint when asked", async () => {
    const t = await newTenant("hook-grace");
    const { secret: oldSecret } = await configureWebhook(
      t.tenantId,
      { url, enabled: true, retryCount: 0, timeoutSeconds: 2 },
      { allowPrivate: true },
    );
    hook.received.length = 0;
    const rotation = await regenerateWebhookSecret(
      t.tenantId,
      { invalidateOld: false, notify: true, reason: "drill" },
      { allowPrivate: true },
    );
    expect(rotation.webhooksNotified).toBe(true);
    const notice = hook.received[0];
    expect(JSON.parse(notice?.body ?? "{}")).toMatchObject({
      type: "webhook_secret_rotated",
      data: { invalidate_old: false, reason: "drill" },
    });
    expect(notice?.body).not.toContain(rotation.newSecret);
    const sig = String(notice?.headers["x-webhook-signature"]);
    expect(sig.split(",")).toHaveLength(3);
    expect(verifyWebhookSignature(sig, notice?.body ?? "", rotation.newSecret)).toBe(true);
    expect(verifyWebhookSignature(sig, notice?.body ?? "", oldSecret ?? "")).toBe(true);

    const login = await call("POST", "/api/auth/login", {
      body: { username: t.username, password: t.password },
      ip: freshIp(),
    });
    expect(login.status).toBe(200);
    const records = (await readAudit(t.tenantId, new Date(Date.now() - 60_000), new Date()))
      .filter((r) => r.event_type === "login")
      .map((record) => ({ tenantId: t.tenantId, record }));
    const [outcome] = await dispatchWebhooksForAuditRecords(records, { allowPrivate: true, backoffMs: 10 });
    expect(outcome?.result.delivered).toBe(true);
    const delivered = hook.received.at(-1);
    const both = String(delivered?.headers["x-webhook-signature"]);
    expect(verifyWebhookSignature(both, delivered?.body ?? "", oldSecret ?? "")).toBe(true);
    expect(verifyWebhookSignature(both, delivered?.body ?? "", rotation.newSecret)).toBe(true);
  });

  it("refuses loopback, 10.x and 169.254.x destinations at delivery time unless allowed, without connecting", async () => {
    const t = await newTenant("hook-refuse");
    await configureWebhook(
      t.tenantId,
      { url, enabled: true, retryCount: 2, timeoutSeconds: 2 },
      { allowPrivate: true },
    );
    await call("POST", "/cloud-integration/security/api-keys/generate", {
      token: t.token,
      body: { name: "x", scope: ["gateways:read"] },
    });
    const records = (await readAudit(t.tenantId, new Date(Date.now() - 60_000), new Date())).map((record) => ({
      tenantId: t.tenantId,
      record,
    }));
    hook.received.length = 0;
    const [outcome] = await dispatchWebhooksForAuditRecords(records, { allowPrivate: false, backoffMs: 10 });
    // Saved while private targets (and plain http) were allowed; refused now that they are not.
    expect(outcome?.result).toMatchObject({ delivered: false, error: expect.stringContaining("destination refused") });
    expect(hook.received).toHaveLength(0);
    const event = { id: "evt_x", type: "login", created: new Date().toISOString(), data: {} };
    for (const target of ["https://10.0.0.1/hook", "https://169.254.169.254/latest", "https://127.0.0.1/hook"]) {
      const r = await deliverWebhook({ url: target, secrets: ["whsec_x"], retryCount: 3, timeoutSeconds: 2 }, event, {
        allowPrivate: false,
      });
      expect(r, target).toMatchObject({ delivered: false, attempts: 1, error: expect.stringMatching(/non-public/) });
    }
    const plain = await deliverWebhook(
      { url: "http://93.184.215.14/x", secrets: ["whsec_x"], retryCount: 0, timeoutSeconds: 1 },
      event,
      { allowPrivate: false },
    );
    expect(plain).toMatchObject({ delivered: false, attempts: 0, error: expect.stringContaining("https") });
  });

  it("gives up after retry_count retries, bounding each attempt by timeout_seconds", async () => {
    const event = { id: "evt_t", type: "login", created: new Date().toISOString(), data: {} };
    hook.received.length = 0;
    hook.statuses.push(503, 503, 503);
    const failing = await deliverWebhook({ url, secrets: ["whsec_x"], retryCount: 2, timeoutSeconds: 2 }, event, {
      allowPrivate: true,
      backoffMs: 5,
    });
    expect(failing).toMatchObject({ delivered: false, attempts: 3, status: 503 });
    hook.statuses.push(400);
    const rejected = await deliverWebhook({ url, secrets: ["whsec_x"], retryCount: 2, timeoutSeconds: 2 }, event, {
      allowPrivate: true,
      backoffMs: 5,
    });
    expect(rejected).toMatchObject({ delivered: false, attempts: 1, status: 400 });
    hook.hang(true);
    const started = Date.now();
    const slow = await deliverWebhook({ url, secrets: ["whsec_x"], retryCount: 0, timeoutSeconds: 1 }, event, {
      allowPrivate: true,
    });
    hook.hang(false);
    expect(slow).toMatchObject({ delivered: false, attempts: 1, error: "timeout" });
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it("the stream worker picks the audit inserts out of a batch and refuses private targets by default", async () => {
    const fromFixture = auditRecordsFromStream(streamFixture as DynamoDBStreamEvent);
    expect(fromFixture.map((r) => [r.tenantId, r.record.event_type])).toEqual([["acme-fixture", "login"]]);

    const t = await newTenant("hook-stream");
    await configureWebhook(
      t.tenantId,
      { url, enabled: true, retryCount: 0, timeoutSeconds: 2 },
      { allowPrivate: true },
    );
    await call("POST", "/api/auth/login", { body: { username: t.username, password: t.password }, ip: freshIp() });
    const [record] = (await readAudit(t.tenantId, new Date(Date.now() - 60_000), new Date())).filter(
      (r) => r.event_type === "login",
    );
    const image = marshall({
      PK: auditKeys.dayPk(t.tenantId, String(record?.timestamp).slice(0, 10)),
      SK: "x",
      type: "Audit",
      version: 1,
      ...record,
    });
    const event = {
      Records: [{ eventName: "INSERT", dynamodb: { NewImage: image } }],
    } as unknown as DynamoDBStreamEvent;
    expect(auditRecordsFromStream(event)).toEqual([{ tenantId: t.tenantId, record }]);
    hook.received.length = 0;
    // WARDEN_WEBHOOK_ALLOW_PRIVATE is not set in tests: the worker must not reach 127.0.0.1.
    await streamHandler(event);
    expect(hook.received).toHaveLength(0);
  });
});
