/**
 * A settings change reaching a 50-gateway fleet off the request path, end to end in one process
 * tree: DynamoDB Local (global setup), the local IoT Core (MQTT broker, shadow service, HTTP data
 * plane), the fleet-sync workflow's synthesized definition on aws-local-stepfunctions (run
 * asynchronously, as in local mode), and 50 real edge handlers in sandbox directories, each with its
 * own MQTT connection (every apply renders nftables and runs `nft -c`).
 *
 * Throttling is injected by test/integration/fleet/faulty-data-plane.ts, an HTTP proxy in front of
 * the local data plane that answers a thing's shadow updates 429 ThrottlingException a set number of
 * times. Every wait is on an MQTT publication or an execution's end, never a sleep.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalIot, usePlatformWithLocalIot } from "#infra/local/iot/index.ts";
import type { ShadowPublication } from "#infra/local/iot/shadow-service.ts";
import { startFaultyDataPlane } from "../integration/fleet/faulty-data-plane.ts";

const FLEET = 50;
/** Each case waits on 50 edges applying (nft -c each) on a shared machine. */
const CASE_TIMEOUT_MS = 240_000;
const iot = await startLocalIot();
const proxy = await startFaultyDataPlane(iot.dataPlaneEndpoint);
await usePlatformWithLocalIot({ dataPlaneEndpoint: proxy.endpoint, mqttUrl: iot.mqttUrl });
const { createLocalRunner } = await import("#infra/local/workflows/runner-local.ts");
const { useWorkflowRunner, workflowExecution } = await import("#shared/workflows/engine.ts");

/** While `holding`, the fan-out's Map iterations wait for `release` (the API's answer is in hand first). */
let holding = false;
let release: () => void = () => {};
let gate = Promise.resolve();
const runner = createLocalRunner({
  root: resolve(import.meta.dirname, "../.."),
  instrument: async (state, run) => {
    if (state === "WriteShadowsItem" && holding) await gate;
    return run();
  },
});
useWorkflowRunner(runner);

const { call, newTenant } = await import("#test/helpers/api.ts");
const { registerGateway } = await import("#shared/fleet/gateways.ts");
const { startEdge } = await import("#edge/edge.ts");
const { quietEdgeOptions } = await import("#test/helpers/edge.ts");

type Edge = Awaited<ReturnType<typeof startEdge>>;
const S = "/cloud-integration/security";
let tenant: Awaited<ReturnType<typeof newTenant>>;
let dir: string;
const things: string[] = [];
const edges: Edge[] = [];

/** Applied firewall reports (thing#version) and desired writes (per thing, in order), as the shadow service accepts them. */
const applied = new Set<string>();
const desiredWrites = new Map<string, number[]>();
const appliedWaiters = new Map<string, () => void>();
iot.shadows.on("publish", (p: ShadowPublication) => {
  if (p.shadowName !== "firewall" || !p.topic.endsWith("/update/accepted")) return;
  const state = (p.payload as { state?: { desired?: { config_version?: number }; reported?: Record<string, unknown> } })
    .state;
  const desired = state?.desired?.config_version;
  if (typeof desired === "number") desiredWrites.set(p.thing, [...(desiredWrites.get(p.thing) ?? []), desired]);
  const r = state?.reported;
  if (r?.status === "applied" && typeof r.config_version === "number") {
    const key = `${p.thing}#${r.config_version}`;
    applied.add(key);
    appliedWaiters.get(key)?.();
  }
});
const appliedBy = (thing: string, version: number, timeoutMs = 60_000) =>
  new Promise<void>((resolvePromise, reject) => {
    const key = `${thing}#${version}`;
    if (applied.has(key)) return resolvePromise();
    const timer = setTimeout(() => reject(new Error(`${thing} never reported version ${version} applied`)), timeoutMs);
    appliedWaiters.set(key, () => {
      clearTimeout(timer);
      appliedWaiters.delete(key);
      resolvePromise();
    });
  });
const appliedCount = (version: number) => things.filter((t) => applied.has(`${t}#${version}`)).length;

let n = 0;
async function change() {
  n++;
  const res = await call("POST", `${S}/firewall/whitelist/manage`, {
    token: tenant.token,
    body: { action: "add", ip_address: `10.88.${n}.0/24` },
  });
  expect(res.status, res.text).toBe(200);
  return res.body as { config_version: number; sync: { status: string; targeted: number; execution_id: string } };
}

beforeAll(async () => {
  tenant = await newTenant("e2e-fanout");
  dir = await mkdtemp(join(tmpdir(), "warden-e2e-fanout-"));
  for (let i = 0; i < FLEET; i++) {
    const g = await registerGateway(tenant.tenantId, "e2e", { name: `fanout edge ${i + 1}` });
    things.push(g.gateway.thing_name);
  }
  const ready = Promise.all(things.map((t) => appliedBy(t, 0, 120_000)));
  for (const thing of things) {
    edges.push(
      await startEdge(
        quietEdgeOptions({
          thingName: thing,
          tenant: tenant.tenantId,
          mqttUrl: iot.mqttUrl,
          stateDir: join(dir, thing),
        }),
      ),
    );
  }
  await ready;
}, 240_000);

afterAll(async () => {
  await Promise.all(edges.map((e) => e.stop()));
  await proxy.stop();
  await iot.stop();
  await rm(dir, { recursive: true, force: true });
});

describe(`a firewall change reaching a ${FLEET}-gateway fleet`, () => {
  it(
    "answers pending before the fan-out writes anything, then every gateway applies it",
    async () => {
      gate = new Promise<void>((r) => {
        release = r;
      });
      holding = true;

      const res = await change();

      // The answer is in hand while the fan-out is held: pending, all 50 to reach, none reported yet.
      expect(res.sync).toMatchObject({ status: "pending", targeted: FLEET });
      expect(appliedCount(res.config_version)).toBe(0);
      holding = false;
      release();

      await Promise.all(things.map((t) => appliedBy(t, res.config_version)));
      await runner.settled(res.sync.execution_id);
      expect(appliedCount(res.config_version)).toBe(FLEET);
      expect(await workflowExecution(tenant.tenantId, res.sync.execution_id)).toMatchObject({
        status: "succeeded",
        result: { written: FLEET, failed: 0 },
      });
      const listed = await call("GET", `${S}/gateways`, { token: tenant.token });
      for (const g of listed.body.gateways) {
        expect(g.sync.firewall).toMatchObject({ status: "applied", reported_version: res.config_version });
      }
    },
    CASE_TIMEOUT_MS,
  );

  it(
    "never writes a superseded version after a newer one (two quick changes)",
    async () => {
      for (const t of things) desiredWrites.set(t, []);

      const older = await change();
      const newer = await change();
      await Promise.all([runner.settled(older.sync.execution_id), runner.settled(newer.sync.execution_id)]);
      await Promise.all(things.map((t) => appliedBy(t, newer.config_version)));

      for (const t of things) {
        const order = desiredWrites.get(t) ?? [];
        // Each gateway got the newer version last, and never the older one after it.
        expect(order.at(-1), t).toBe(newer.config_version);
        expect(
          [...order].sort((a, b) => a - b),
          t,
        ).toEqual(order);
      }
      const olderRun = await workflowExecution(tenant.tenantId, older.sync.execution_id);
      const counts = olderRun?.result as { written: number; superseded: number };
      expect(counts.written + counts.superseded).toBe(FLEET);
    },
    CASE_TIMEOUT_MS,
  );

  it(
    "retries a throttled shadow write and the gateway still applies the change",
    async () => {
      const [thing] = things;
      if (!thing) throw new Error("no gateway");
      // More 429s than the SDK's own attempts: the fan-out's jittered retry takes over.
      proxy.faults.throttle.set(thing, 4);

      const res = await change();
      await runner.settled(res.sync.execution_id);
      await Promise.all(things.map((t) => appliedBy(t, res.config_version)));

      expect(proxy.faults.throttled.get(thing)).toBe(4);
      const listed = await call("GET", `${S}/gateways`, { token: tenant.token });
      const mine = listed.body.gateways.find((g: { thing_name: string }) => g.thing_name === thing);
      expect(mine.sync.firewall.last_write).toMatchObject({ outcome: "written", config_version: res.config_version });
      expect(mine.sync.firewall.last_write.throttle_retries).toBeGreaterThanOrEqual(1);
    },
    CASE_TIMEOUT_MS,
  );
});
