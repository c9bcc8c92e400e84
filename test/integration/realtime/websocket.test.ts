/**
 * The WebSocket layer end to end on the local server, with real sockets: the local API server
 * upgrades the three stream paths, the authorizer and the `$connect`/`$default`/`$disconnect`
 * handlers run as in AWS, changes reach the sockets through the table's stream (DynamoDB Local's
 * Streams API, polled by infra/local/table-stream.ts) and the fan-out posts through the
 * `@connections` emulator with the same ApiGatewayManagementApi client a deployment uses.
 */
import { resolve } from "node:path";
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { DynamoDBRecord } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalApi, startApiServer } from "#infra/local/api-server.ts";
import { startTableStream, type TableStream, tableStreamWorkers } from "#infra/local/table-stream.ts";
import { localWebSockets, SLOW_CONSUMER_CLOSE } from "#infra/local/websocket-server.ts";
import { routes } from "#infra/routes.ts";
import { workers } from "#infra/workers.ts";
import { putFirewallLogLines } from "#shared/fleet/db/firewall-log.ts";
import { fanOut, tenantConnections } from "#shared/realtime/connections.ts";
import { db, tableName } from "#shared/table/client.ts";
import { putOutboxMessage } from "#shared/tenancy/db/outbox.ts";
import { tenantKey } from "#shared/tenancy/tenants.ts";
import { call, freshIp, newTenant } from "#test/helpers/api.ts";
import { type Client, openStream, Refused } from "#test/helpers/realtime.ts";

const root = resolve(import.meta.dirname, "../../..");
const EVENTS = "/cloud-integration/security/events";
const BASE = "/cloud-integration/security";
type Tenant = Awaited<ReturnType<typeof newTenant>>;

let api: LocalApi;
let stream: TableStream;
let a: Tenant;
let b: Tenant;
/** Tenants of this file: the only ones whose records this file's poller hands on. */
const mine = new Set<string>();
const opened: Client[] = [];

const tenantOfRecord = (r: DynamoDBRecord) => {
  const pk = (r.dynamodb?.Keys?.PK as { S?: string } | undefined)?.S ?? "";
  return /^T#([^#]+)/.exec(pk)?.[1];
};

async function open(path: string, opts: Parameters<typeof openStream>[2]) {
  const c = await openStream(api.url, path, opts);
  opened.push(c);
  return c;
}

async function tenant(label: string) {
  const t = await newTenant(label);
  mine.add(t.tenantId);
  return t;
}

const failLogin = (t: Tenant) =>
  call("POST", "/api/auth/login", { body: { username: t.username, password: "wrong-Passw0rd!" }, ip: freshIp() });

/** Waits until the tenant's connections satisfy `ok` (the table is the truth; polled, bounded). */
async function connectionsUntil(tenantId: string, ok: (n: number) => boolean) {
  for (let i = 0; i < 100; i++) {
    const n = (await tenantConnections(tenantId)).length;
    if (ok(n)) return n;
    await new Promise((r) => setImmediate(r));
  }
  return (await tenantConnections(tenantId)).length;
}

beforeAll(async () => {
  [a, b] = await Promise.all([tenant("ws-a"), tenant("ws-b")]);
  const streamWorkers = (await tableStreamWorkers(root, workers)).filter((w) => w.id === "workers-realtime-fanout");
  stream = await startTableStream({
    endpoint: process.env.DYNAMODB_ENDPOINT as string,
    tableName,
    workers: streamWorkers,
    select: (r) => mine.has(tenantOfRecord(r) ?? ""),
  });
  api = await startApiServer({
    routes,
    root,
    port: 0,
    websockets: localWebSockets({ routes, root, maxBufferedBytes: 256 * 1024 }),
  });
});

afterAll(async () => {
  await Promise.all(opened.map((c) => c.close().catch(() => undefined)));
  await api?.close();
  await stream?.stop();
});

describe("connecting (the authorizer)", () => {
  it("refuses a handshake without a token, with a bad token, or with a revoked API key (401)", async () => {
    await expect(openStream(api.url, EVENTS)).rejects.toEqual(new Refused(401));
    await expect(openStream(api.url, EVENTS, { token: "not-a-token" })).rejects.toEqual(new Refused(401));
    await expect(openStream(api.url, EVENTS, { token: `${a.token.slice(0, -4)}AAAA` })).rejects.toEqual(
      new Refused(401),
    );
    const key = await call("POST", `${BASE}/api-keys/generate`, {
      token: a.token,
      body: { name: "ws-revoked", scope: ["*"] },
    });
    expect(key.status).toBe(201);
    const revoked = await call("POST", `${BASE}/api-keys/revoke`, {
      token: a.token,
      body: { key_id: key.body.api_key.id, reason: "test" },
    });
    expect(revoked.status).toBe(200);
    await expect(openStream(api.url, EVENTS, { token: key.body.api_key.full_key })).rejects.toEqual(new Refused(401));
  });

  it("refuses a key whose scope lacks the stream's permission (403), and a suspended organisation (403)", async () => {
    const narrow = await call("POST", `${BASE}/api-keys/generate`, {
      token: a.token,
      body: { name: "ws-narrow", scope: ["gateways:read"] },
    });
    await expect(openStream(api.url, EVENTS, { token: narrow.body.api_key.full_key })).rejects.toEqual(
      new Refused(403),
    );
    await expect(openStream(api.url, "/ws/logs", { token: narrow.body.api_key.full_key })).rejects.toEqual(
      new Refused(403),
    );
    // The same key may open the caller's own notifications (any authenticated caller may).
    const own = await open("/ws/notifications", { token: narrow.body.api_key.full_key });
    await own.close();

    const s = await tenant("ws-suspended");
    await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: tenantKey(s.tenantId),
        UpdateExpression: "SET #s = :s",
        ExpressionAttributeNames: { "#s": "status" },
        ExpressionAttributeValues: { ":s": "suspended" },
      }),
    );
    await expect(openStream(api.url, EVENTS, { token: s.token })).rejects.toEqual(new Refused(403));
  });

  it("accepts the token as ?token=, in Sec-WebSocket-Protocol (selecting 'warden'), and an API key; stores each connection, and $disconnect removes it", async () => {
    const t = await tenant("ws-ways");
    const key = await call("POST", `${BASE}/api-keys/generate`, {
      token: t.token,
      body: { name: "ws-key", scope: ["security:read"] },
    });
    const byQuery = await open(EVENTS, { token: t.token });
    const byProtocol = await open(EVENTS, { protocols: ["warden", t.token] });
    const byKey = await open(EVENTS, { token: key.body.api_key.full_key });
    expect(byProtocol.protocol).toBe("warden");
    const stored = await tenantConnections(t.tenantId);
    expect(stored).toHaveLength(3);
    expect(stored.map((c) => c.stream)).toEqual(["events", "events", "events"]);
    // The API-key connection names its key (the display id audit records carry); the token ones none.
    expect(stored.map((c) => c.apiKeyId).sort()).toEqual([key.body.api_key.key_prefix, null, null]);
    await Promise.all([byQuery.close(), byProtocol.close(), byKey.close()]);
    expect(await connectionsUntil(t.tenantId, (n) => n === 0)).toBe(0);
  });

  it("answers 404 on a path that is not a stream", async () => {
    await expect(openStream(api.url, "/ws/nothing", { token: a.token })).rejects.toEqual(new Refused(404));
  });
});

describe("events socket", () => {
  it("delivers a change of the tenant within a second, and only to that tenant (two tenants connected)", async () => {
    const sa = await open(EVENTS, { token: a.token });
    const sb = await open(EVENTS, { token: b.token });

    // The change is made (and committed) when the sign-in answers: from then, a second at most.
    expect((await failLogin(a)).status).toBe(401);
    const changed = performance.now();
    const got = await sa.next((m) => m.type === "login_failure", { timeoutMs: 1000, what: "login_failure for A" });
    expect(got.at - changed).toBeLessThan(1000);
    expect(got.message).toMatchObject({
      type: "login_failure",
      severity: "warning",
      tenant: a.tenantId,
      data: { event_type: "login_failed", user: a.username, status: "failed" },
    });
    expect(Date.parse(String(got.message.timestamp))).not.toBeNaN();

    expect((await failLogin(b)).status).toBe(401);
    await sb.next((m) => m.type === "login_failure", { what: "login_failure for B" });
    // Each socket saw its own tenant's events and nothing of the other's.
    expect(sa.frames.every((f) => f.message.tenant === a.tenantId)).toBe(true);
    expect(sb.frames.every((f) => f.message.tenant === b.tenantId)).toBe(true);
    expect(sb.frames.length).toBeGreaterThan(0);
  });

  it("filters by type after subscribe, acknowledges it, and answers a bad message with an error frame", async () => {
    const s = await open(EVENTS, { token: a.token });
    s.send({ action: "subscribe", types: ["configuration_change"] });
    await s.next((m) => m.type === "subscribed");
    s.send({ action: "subscribe", types: ["no_such_type"] });
    const err = await s.next((m) => m.type === "error");
    expect(err.message.message).toContain("no_such_type");
    s.send({ action: "ping" });
    await s.next((m) => m.type === "pong");

    const from = s.frames.length;
    await failLogin(a);
    const created = await call("POST", `${BASE}/api-keys/generate`, {
      token: a.token,
      body: { name: "ws-filtered", scope: ["*"] },
    });
    expect(created.status).toBe(201);
    const change = await s.next((m) => m.type === "configuration_change", { from });
    expect(change.message.data).toMatchObject({ event_type: "api_key_generated" });
    // The login failure, earlier in the stream, was filtered out.
    expect(s.frames.slice(from).some((f) => f.message.type === "login_failure")).toBe(false);
  });
});

describe("/ws/logs", () => {
  const line = (gatewayId: number, action: "DROP" | "ACCEPT", port: number) => ({
    gatewayId,
    timestamp: new Date().toISOString(),
    action,
    protocol: "tcp",
    sourceIp: "203.0.113.9",
    sourcePort: 40_000,
    destinationIp: "10.0.0.1",
    destinationPort: port,
  });
  const expiry = () => Math.floor(Date.now() / 1000) + 3600;

  it("two tenants on /ws/logs each see only their own lines", async () => {
    const la = await open("/ws/logs", { token: a.token });
    const lb = await open("/ws/logs", { token: b.token });
    await putFirewallLogLines(a.tenantId, [line(1, "DROP", 1111)], expiry());
    await putFirewallLogLines(b.tenantId, [line(1, "DROP", 2222)], expiry());
    const ga = await la.next((m) => m.type === "firewall");
    const gb = await lb.next((m) => m.type === "firewall");
    expect(ga.message).toMatchObject({
      tenant: a.tenantId,
      gateway_id: 1,
      level: "warning",
      data: { destination_port: 1111 },
    });
    expect(gb.message).toMatchObject({ tenant: b.tenantId, gateway_id: 1, data: { destination_port: 2222 } });
    expect(la.frames.filter((f) => f.message.type === "firewall").map((f) => f.message.tenant)).toEqual([a.tenantId]);
    expect(lb.frames.filter((f) => f.message.type === "firewall").map((f) => f.message.tenant)).toEqual([b.tenantId]);
  });

  it("filters by gateway, type and level", async () => {
    const l = await open("/ws/logs", { token: a.token });
    l.send({ action: "subscribe", types: ["firewall"], gateway_id: 2, level: "warning" });
    await l.next((m) => m.type === "subscribed");
    const from = l.frames.length;
    await putFirewallLogLines(
      a.tenantId,
      [line(1, "DROP", 1001), line(2, "ACCEPT", 1002), line(2, "DROP", 1003)],
      expiry(),
    );
    await failLogin(a); // an audit line: another type
    const got = await l.next((m) => m.type === "firewall", { from });
    expect(got.message).toMatchObject({ gateway_id: 2, data: { destination_port: 1003, action: "DROP" } });
    // Sent after the lines: once it is through, everything before it has been fanned out.
    await putFirewallLogLines(a.tenantId, [line(2, "DROP", 1004)], expiry());
    await l.next((m) => (m.data as { destination_port?: number })?.destination_port === 1004, { from });
    expect(l.frames.slice(from).map((f) => (f.message.data as { destination_port?: number }).destination_port)).toEqual(
      [1003, 1004],
    );
  });
});

describe("/ws/notifications", () => {
  it("delivers the caller's own notifications only, and never the body of a one-time code", async () => {
    const n = await open("/ws/notifications", { token: a.token });
    const email = `${a.username}@example.com`;
    await putOutboxMessage({
      tenantId: a.tenantId,
      channel: "email",
      to: "someone-else@example.com",
      subject: "not yours",
      body: "x",
      kind: "policy_change",
    });
    await putOutboxMessage({
      tenantId: a.tenantId,
      channel: "email",
      to: email,
      subject: "Your code",
      body: "123456",
      kind: "two_factor_code",
    });
    await putOutboxMessage({
      tenantId: a.tenantId,
      channel: "email",
      to: email,
      subject: "Policy changed",
      body: "details",
      kind: "policy_change",
    });
    await n.next((m) => (m.data as { subject?: string }).subject === "Policy changed");
    const subjects = n.frames.map((f) => (f.message.data as { subject: string }).subject);
    expect(subjects).toEqual(["Your code", "Policy changed"]);
    expect(n.frames[0]?.message).toMatchObject({
      type: "notification",
      tenant: a.tenantId,
      data: { kind: "two_factor_code", body: null },
    });
    expect(n.frames[1]?.message).toMatchObject({ data: { body: "details", channel: "email" } });
  });
});

describe("back-pressure", () => {
  it("drops a client that does not read with close code 1013, and the fan-out forgets its connection", async () => {
    const t = await tenant("ws-slow");
    const slow = await open(EVENTS, { token: t.token });
    const sock = (slow.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    sock.pause();
    const big = "x".repeat(64 * 1024);
    let gone = 0;
    let posted = 0;
    for (let i = 0; i < 2000 && gone === 0; i++) {
      const r = await fanOut([
        {
          tenantId: t.tenantId,
          stream: "events",
          type: "configuration_change",
          severity: "info",
          timestamp: new Date().toISOString(),
          data: { big },
        },
      ]);
      gone = r.gone;
      posted += r.sent;
    }
    expect(gone).toBe(1);
    // Bounded: the server kept at most its limit (256 KiB) plus what the kernel buffers hold.
    expect(posted).toBeGreaterThan(0);
    expect(await tenantConnections(t.tenantId)).toEqual([]);
    sock.resume();
    expect((await slow.closed).code).toBe(SLOW_CONSUMER_CLOSE);
  });
});

describe("heartbeats", () => {
  it("terminates a client that stops answering pings (and $disconnect forgets it), keeps one that answers", async () => {
    const hb = await startApiServer({
      routes,
      root,
      port: 0,
      websockets: localWebSockets({ routes, root, heartbeatMs: 500 }),
    });
    try {
      const t = await tenant("ws-heartbeat");
      const silent = await openStream(hb.url, EVENTS, { token: t.token });
      const healthy = await openStream(hb.url, EVENTS, { token: t.token });
      opened.push(silent, healthy);
      // A client whose socket is not read answers no ping: a dead peer, as the server sees it.
      (silent.ws as unknown as { _socket: { pause(): void } })._socket.pause();
      let left = 2;
      for (let i = 0; i < 500 && left !== 1; i++) {
        left = (await tenantConnections(t.tenantId)).length;
        if (left !== 1) await new Promise((r) => setTimeout(r, 20));
      }
      expect(left).toBe(1);
      // The healthy client answered every ping meanwhile and is still served.
      healthy.send({ action: "ping" });
      await healthy.next((m) => m.type === "pong");
    } finally {
      await hb.close();
    }
  });
});
