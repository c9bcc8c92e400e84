/**
 * `sync_state` events on the events socket: a firewall change's fan-out (the fleet-sync workflow's
 * synthesized definition on the local runner, writing shadows on the local IoT Core through a
 * fault-injecting proxy) records one outcome per gateway; the table stream (DynamoDB Local's
 * Streams API, polled) carries each outcome to the realtime fan-out, which posts it to the
 * tenant's sockets through the `@connections` emulator. Real sockets on the local server.
 */
import { resolve } from "node:path";
import type { DynamoDBRecord } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalIot, usePlatformWithLocalIot } from "#infra/local/iot/index.ts";
import { startFaultyDataPlane } from "../fleet/faulty-data-plane.ts";

const iot = await startLocalIot();
const proxy = await startFaultyDataPlane(iot.dataPlaneEndpoint);
await usePlatformWithLocalIot({ dataPlaneEndpoint: proxy.endpoint, mqttUrl: iot.mqttUrl });
const { createLocalRunner } = await import("#infra/local/workflows/runner-local.ts");
const { useWorkflowRunner } = await import("#shared/workflows/engine.ts");
const runner = createLocalRunner({ root: resolve(import.meta.dirname, "../../..") });
useWorkflowRunner(runner);

const { startApiServer } = await import("#infra/local/api-server.ts");
const { startTableStream, tableStreamWorkers } = await import("#infra/local/table-stream.ts");
const { localWebSockets } = await import("#infra/local/websocket-server.ts");
const { routes } = await import("#infra/routes.ts");
const { workers } = await import("#infra/workers.ts");
const { tableName } = await import("#shared/table/client.ts");
const { call, freshIp, newTenant } = await import("#test/helpers/api.ts");
const { openStream } = await import("#test/helpers/realtime.ts");

type Client = Awaited<ReturnType<typeof openStream>>;
const root = resolve(import.meta.dirname, "../../..");
const S = "/cloud-integration/security";
const EVENTS = `${S}/events`;

let api: Awaited<ReturnType<typeof startApiServer>>;
let stream: Awaited<ReturnType<typeof startTableStream>>;
let tenant: Awaited<ReturnType<typeof newTenant>>;
let other: Awaited<ReturnType<typeof newTenant>>;
const mine = new Set<string>();
const opened: Client[] = [];
const gateways: { id: number; thing: string }[] = [];

const tenantOfRecord = (r: DynamoDBRecord) =>
  /^T#([^#]+)/.exec((r.dynamodb?.Keys?.PK as { S?: string } | undefined)?.S ?? "")?.[1];

async function open(token: string) {
  const c = await openStream(api.url, EVENTS, { token });
  opened.push(c);
  c.send({ action: "subscribe", types: ["sync_state", "login_failure"] });
  await c.next((m) => m.type === "subscribed");
  return c;
}

/** A firewall change through the API; answers once its fan-out execution has ended. */
async function change(cidr: string) {
  const res = await call("POST", `${S}/firewall/whitelist/manage`, {
    token: tenant.token,
    body: { action: "add", ip_address: cidr },
  });
  expect(res.status, res.text).toBe(200);
  const body = res.body as { config_version: number; sync: { execution_id: string } };
  await runner.settled(body.sync.execution_id);
  return { version: body.config_version, settled: performance.now() };
}

/**
 * A marker after the change: the tenant's records reach the stream in order (one partition), so
 * once a later login failure arrived every sync_state frame of the change has too.
 */
async function drained(c: Client) {
  const from = c.frames.length;
  expect(
    (await call("POST", "/api/auth/login", { body: { username: tenant.username, password: "x" }, ip: freshIp() }))
      .status,
  ).toBe(401);
  await c.next((m) => m.type === "login_failure", { from, timeoutMs: 5000, what: "the marker login_failure" });
}

const syncFrames = (c: Client, version: number) =>
  c.frames
    .map((f) => f.message)
    .filter((m) => m.type === "sync_state" && (m.data as { config_version?: number }).config_version === version);

beforeAll(async () => {
  [tenant, other] = await Promise.all([newTenant("ws-sync"), newTenant("ws-sync-other")]);
  mine.add(tenant.tenantId);
  mine.add(other.tenantId);
  for (const name of ["North edge", "South edge"]) {
    const res = await call("POST", `${S}/gateways`, { token: tenant.token, body: { name } });
    expect(res.status).toBe(201);
    gateways.push({ id: res.body.gateway.id, thing: res.body.gateway.thing_name });
  }
  const streamWorkers = (await tableStreamWorkers(root, workers)).filter((w) => w.id === "workers-realtime-fanout");
  stream = await startTableStream({
    endpoint: process.env.DYNAMODB_ENDPOINT as string,
    tableName,
    workers: streamWorkers,
    select: (r) => mine.has(tenantOfRecord(r) ?? ""),
  });
  api = await startApiServer({ routes, root, port: 0, websockets: localWebSockets({ routes, root }) });
}, 60_000);

afterAll(async () => {
  await Promise.all(opened.map((c) => c.close().catch(() => undefined)));
  await api?.close();
  await stream?.stop();
  await proxy.stop();
  await iot.stop();
});

describe("sync_state events", () => {
  it("a change's fan-out yields one pending event per gateway within a second, to that tenant only", async () => {
    const socket = await open(tenant.token);
    const outsider = await open(other.token);

    const { version, settled } = await change("10.71.1.0/24");

    for (const g of gateways) {
      const got = await socket.next(
        (m) =>
          m.type === "sync_state" &&
          m.gateway_id === g.id &&
          (m.data as { config_version?: number }).config_version === version,
        { timeoutMs: 1000, what: `sync_state of gateway ${g.id}` },
      );
      expect(got.at - settled).toBeLessThan(1000);
      expect(got.message).toMatchObject({
        type: "sync_state",
        severity: "info",
        tenant: tenant.tenantId,
        gateway_id: g.id,
        data: { area: "firewall", status: "pending", outcome: "written", config_version: version, error: null },
      });
    }
    await drained(socket);
    // Exactly one per gateway, and nothing reached the other tenant's socket.
    expect(syncFrames(socket, version)).toHaveLength(gateways.length);
    expect(outsider.frames.filter((f) => f.message.type === "sync_state")).toEqual([]);
  });

  it("a write the data plane refuses yields a failed event for that gateway only", async () => {
    const [north, south] = gateways;
    if (!north || !south) throw new Error("gateways missing");
    const socket = await open(tenant.token);
    proxy.faults.refuse.add(north.thing);
    try {
      const { version } = await change("10.71.2.0/24");

      const failed = await socket.next(
        (m) =>
          m.type === "sync_state" && m.gateway_id === north.id && (m.data as { status?: string }).status === "failed",
        { timeoutMs: 1000, what: "failed sync_state" },
      );
      expect(failed.message).toMatchObject({
        severity: "high",
        data: { area: "firewall", status: "failed", outcome: "failed", config_version: version },
      });
      expect((failed.message.data as { error: string }).error).toBeTruthy();
      await drained(socket);
      const frames = syncFrames(socket, version);
      expect(frames.map((m) => [m.gateway_id, (m.data as { status: string }).status]).sort()).toEqual(
        [
          [north.id, "failed"],
          [south.id, "pending"],
        ].sort(),
      );
    } finally {
      proxy.faults.refuse.delete(north.thing);
    }
  });
});
