/**
 * The settings fan-out off the request path, against DynamoDB Local, the local IoT Core and the
 * synthesized fleet-sync definition run by aws-local-stepfunctions (asynchronously, as in local
 * mode): the change answers `pending` before any shadow is written; GET /gateways says pending
 * meanwhile and the write's outcome after; a later change supersedes an unfinished one; throttling
 * is retried; a refused write shows `failed` with its reason and the resync routes write it again.
 *
 * Faults are injected by test/integration/fleet/faulty-data-plane.ts, an HTTP proxy in front of the
 * local data plane (throttling 429s, refusals); the SDK and the shadow service are the real ones.
 */
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalIot, usePlatformWithLocalIot } from "#infra/local/iot/index.ts";
import type { ShadowPublication } from "#infra/local/iot/shadow-service.ts";
import { startFaultyDataPlane } from "./faulty-data-plane.ts";

const iot = await startLocalIot();
const proxy = await startFaultyDataPlane(iot.dataPlaneEndpoint);
// The platform talks to the local IoT Core through the fault-injecting proxy.
await usePlatformWithLocalIot({ dataPlaneEndpoint: proxy.endpoint, mqttUrl: iot.mqttUrl });
const { createLocalRunner } = await import("#infra/local/workflows/runner-local.ts");
const { useWorkflowRunner, workflowExecution } = await import("#shared/workflows/engine.ts");

/** The first `held` runs of state `heldState` wait until released (later ones run at once). */
let held = 0;
let heldState = "WriteShadowsItem";
let release: () => void = () => {};
let gate = Promise.resolve();
function holdNext(n: number, state = "WriteShadowsItem") {
  held = n;
  heldState = state;
  gate = new Promise<void>((r) => {
    release = r;
  });
}
const runner = createLocalRunner({
  root: resolve(import.meta.dirname, "../../.."),
  instrument: async (state, run) => {
    if (state === heldState && held > 0) {
      held--;
      await gate;
    }
    return run();
  },
});
useWorkflowRunner(runner);

const { call, newTenant, viewerToken } = await import("#test/helpers/api.ts");
const { dbCalls, resetDbCalls } = await import("#shared/table/client.ts");

type Tenant = Awaited<ReturnType<typeof newTenant>>;
const S = "/cloud-integration/security";
let acme: Tenant;
let globex: Tenant;
const gw: { id: number; thing: string }[] = [];
let globexGateway: number;

const desiredVersion = (thing: string) => {
  const got = iot.shadows.get(thing, "firewall");
  if (got.kind !== "accepted") throw new Error("no firewall shadow");
  return got.document.state.desired?.config_version as number | undefined;
};

async function register(t: Tenant, name: string) {
  const res = await call("POST", `${S}/gateways`, { token: t.token, body: { name } });
  expect(res.status).toBe(201);
  return { id: res.body.gateway.id as number, thing: res.body.gateway.thing_name as string };
}

let n = 0;
async function whitelist(t: Tenant) {
  n++;
  const res = await call("POST", `${S}/firewall/whitelist/manage`, {
    token: t.token,
    body: { action: "add", ip_address: `10.77.${n}.0/24` },
  });
  expect(res.status, res.text).toBe(200);
  return res.body as { config_version: number; sync: { status: string; targeted: number; execution_id: string } };
}

interface SyncView {
  status: string;
  error: string | null;
  last_write: null | Record<string, unknown>;
  desired_version: number;
}

const fleet = async (t: Tenant) => {
  const res = await call("GET", `${S}/gateways`, { token: t.token });
  expect(res.status).toBe(200);
  return res.body.gateways as {
    id: number;
    sync: Record<"firewall" | "ssh" | "certificates", SyncView>;
  }[];
};

beforeAll(async () => {
  [acme, globex] = await Promise.all([newTenant("fan-acme"), newTenant("fan-globex")]);
  for (const name of ["Edge 1", "Edge 2", "Edge 3"]) gw.push(await register(acme, name));
  globexGateway = (await register(globex, "Globex edge")).id;
});

afterAll(async () => {
  await proxy.stop();
  await iot.stop();
});

describe("a settings change off the request path", () => {
  it("answers pending with the number of gateways before any shadow is written, then the workflow writes them", async () => {
    const before = gw.map((g) => desiredVersion(g.thing));
    holdNext(1);

    const res = await whitelist(acme);

    // The API has answered; the fan-out's only batch is still held: nothing is written yet.
    expect(res.sync).toEqual({ status: "pending", targeted: 3, execution_id: expect.any(String), error: null });
    expect(gw.map((g) => desiredVersion(g.thing))).toEqual(before);
    for (const g of await fleet(acme)) {
      expect(g.sync.firewall).toMatchObject({
        status: "pending",
        error: `config version ${res.config_version} is saved but not yet written to the shadow`,
      });
    }

    release();
    await runner.settled(res.sync.execution_id);

    expect(gw.map((g) => desiredVersion(g.thing))).toEqual([
      res.config_version,
      res.config_version,
      res.config_version,
    ]);
    for (const g of await fleet(acme)) {
      // Written, not yet applied: the gateway has not reported it (pending until it does).
      expect(g.sync.firewall).toMatchObject({
        status: "pending",
        desired_version: res.config_version,
        last_write: { outcome: "written", config_version: res.config_version, error: null, throttle_retries: 0 },
      });
    }
    const execution = await workflowExecution(acme.tenantId, res.sync.execution_id);
    expect(execution).toMatchObject({ status: "succeeded", result: { written: 3, superseded: 0, failed: 0 } });
  });

  it("reads no gateway on the request path: the same DynamoDB calls at 3 gateways as at 1, and the workflow lists them", async () => {
    // Warm both tenants' caches (credentials, plan) so only the change itself is counted.
    await runner.settled((await whitelist(acme)).sync.execution_id);
    await runner.settled((await whitelist(globex)).sync.execution_id);
    const changeCalls = async (t: Tenant) => {
      holdNext(1, "Plan"); // the workflow's first step waits: nothing of it runs during the call
      resetDbCalls();
      const res = await whitelist(t);
      const calls = dbCalls();
      return { res, calls };
    };

    const one = await changeCalls(globex);
    release();
    await runner.settled(one.res.sync.execution_id);
    const three = await changeCalls(acme);
    // A gateway registered after the change was saved: the Plan step, listing the fleet when it
    // runs, reaches it too (the receipt counted the three registered at the time of the call).
    const late = await register(acme, "Edge late");
    release();
    await runner.settled(three.res.sync.execution_id);

    expect(one.res.sync).toMatchObject({ status: "pending", targeted: 1 });
    expect(three.res.sync).toMatchObject({ status: "pending", targeted: 3 });
    expect(three.calls.byCommand).toEqual(one.calls.byCommand);
    // One Query: the area's scopes. Listing the fleet (a second, growing with it) is the workflow's.
    expect(three.calls.byCommand.QueryCommand).toBe(1);
    expect(await workflowExecution(acme.tenantId, three.res.sync.execution_id)).toMatchObject({
      status: "succeeded",
      result: { written: 4, superseded: 0, failed: 0, gone: 0 },
    });
    expect(desiredVersion(late.thing)).toBe(three.res.config_version);
    await call("DELETE", `${S}/gateways/${late.id}`, { token: acme.token });
  });

  it("never writes a superseded version after a newer one: the older change's writes are skipped", async () => {
    const writes: { thing: string; version: number }[] = [];
    const onPublish = (p: ShadowPublication) => {
      if (p.shadowName !== "firewall" || !p.topic.endsWith("/update/accepted")) return;
      const v = (p.payload as { state?: { desired?: { config_version?: number } } }).state?.desired?.config_version;
      if (typeof v === "number") writes.push({ thing: p.thing, version: v });
    };
    iot.shadows.on("publish", onPublish);
    holdNext(1);

    const older = await whitelist(acme); // its batch is held
    const newer = await whitelist(acme); // runs to the end first
    await runner.settled(newer.sync.execution_id);
    release();
    await runner.settled(older.sync.execution_id);
    iot.shadows.off("publish", onPublish);

    expect(newer.config_version).toBe(older.config_version + 1);
    for (const g of gw) {
      expect(writes.filter((w) => w.thing === g.thing).map((w) => w.version)).toEqual([newer.config_version]);
      expect(desiredVersion(g.thing)).toBe(newer.config_version);
    }
    expect(await workflowExecution(acme.tenantId, older.sync.execution_id)).toMatchObject({
      status: "succeeded",
      result: { written: 0, superseded: 3, failed: 0 },
    });
    // The newer write's outcome stands: the older one never replaces it.
    for (const g of await fleet(acme)) {
      expect(g.sync.firewall.last_write).toMatchObject({ outcome: "written", config_version: newer.config_version });
    }
  });

  it("retries a throttled shadow write with backoff and writes it", async () => {
    const [target] = gw;
    if (!target) throw new Error("no gateway");
    // More 429s than the SDK's own three attempts: the fan-out's jittered retry must take over.
    proxy.faults.throttle.set(target.thing, 4);

    const res = await whitelist(acme);
    await runner.settled(res.sync.execution_id);

    expect(proxy.faults.throttled.get(target.thing)).toBe(4);
    expect(desiredVersion(target.thing)).toBe(res.config_version);
    const mine = (await fleet(acme)).find((g) => g.id === target.id);
    expect(mine?.sync.firewall.last_write).toMatchObject({ outcome: "written", config_version: res.config_version });
    expect(mine?.sync.firewall.last_write?.throttle_retries).toBeGreaterThanOrEqual(1);
    expect(await workflowExecution(acme.tenantId, res.sync.execution_id)).toMatchObject({
      result: { written: 3, failed: 0 },
    });
  });
});

describe("a failed write, and the resync routes", () => {
  it("shows a refused write as failed with its reason; POST /gateways/resync writes it again", async () => {
    const [, target] = gw;
    if (!target) throw new Error("no gateway");
    proxy.faults.refuse.add(target.thing);
    const res = await whitelist(acme);
    await runner.settled(res.sync.execution_id);

    const failed = (await fleet(acme)).find((g) => g.id === target.id);
    expect(failed?.sync.firewall.status).toBe("failed");
    expect(failed?.sync.firewall.error).toMatch(/^the shadow write failed: .*not authorized/);
    expect(failed?.sync.firewall.last_write).toMatchObject({ outcome: "failed", config_version: res.config_version });
    expect(desiredVersion(target.thing)).toBeLessThan(res.config_version);

    proxy.faults.refuse.delete(target.thing);
    const resync = await call("POST", `${S}/gateways/resync`, { token: acme.token });
    expect(resync.status, resync.text).toBe(200);
    expect(resync.body).toMatchObject({
      status: "pending",
      gateway_ids: [target.id],
      sync: {
        firewall: { status: "pending", targeted: 1 },
        ssh: { status: "none", targeted: 0 },
        certificates: { status: "none", targeted: 0 },
      },
    });
    await runner.settled(resync.body.sync.firewall.execution_id);

    expect(desiredVersion(target.thing)).toBe(res.config_version);
    const after = (await fleet(acme)).find((g) => g.id === target.id);
    expect(after?.sync.firewall).toMatchObject({
      status: "pending",
      last_write: { outcome: "written", config_version: res.config_version },
    });
  });

  it("answers nothing_to_resync when no gateway is failed or drifted", async () => {
    const res = await call("POST", `${S}/gateways/resync`, { token: globex.token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: "nothing_to_resync", gateway_ids: [] });
  });

  it("resyncs one gateway in the call; an id the tenant does not have is a 404", async () => {
    const [target] = gw;
    if (!target) throw new Error("no gateway");
    // The shadow store lost the desired document (local mode keeps shadows in memory).
    iot.shadows.delete(target.thing, "firewall");

    const res = await call("POST", `${S}/gateways/${target.id}/resync`, { token: acme.token });

    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({
      status: "resynced",
      gateway_id: target.id,
      sync: { firewall: { targeted: 1, written: 1, failed: [] }, ssh: { targeted: 1, written: 1, failed: [] } },
    });
    const head = (await fleet(acme)).find((g) => g.id === target.id)?.sync.firewall.desired_version;
    expect(desiredVersion(target.thing)).toBe(head);
    // Gateway ids are per tenant: globex's gateway is only reachable as globex (BOLA matrices hold
    // every id-taking route to that); an id acme does not have is a 404.
    const unknown = await call("POST", `${S}/gateways/${gw.length + globexGateway + 100}/resync`, {
      token: acme.token,
    });
    expect(unknown.status).toBe(404);
  });

  it("is refused to a caller without firewall:write", async () => {
    const viewer = await viewerToken(acme);
    expect((await call("POST", `${S}/gateways/resync`, { token: viewer })).status).toBe(403);
    expect((await call("POST", `${S}/gateways/${gw[0]?.id}/resync`, { token: viewer })).status).toBe(403);
  });
});
