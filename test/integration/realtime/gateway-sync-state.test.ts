/**
 * Gateway-reported `sync_state` events on the events socket: two gateways of one tenant run the real
 * edge handler in sandboxes against the local IoT Core; their shadow reports reach the worker
 * `functions/workers/shadow-sync-events.ts` through the local stand-in of the shadow topic rule
 * (infra/local/local-shadow-rule.ts), which posts to the tenant's sockets through the local
 * `@connections` emulator. Real sockets on the local server; a second tenant's socket must get
 * nothing. Waits end at frames or at the rule's idle point, never on sleeps.
 */
import { appendFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalIot, usePlatformWithLocalIot } from "#infra/local/iot/index.ts";
import { startLocalShadowRule } from "#infra/local/local-shadow-rule.ts";

const iot = await startLocalIot();
await usePlatformWithLocalIot(iot);
const { createLocalRunner } = await import("#infra/local/workflows/runner-local.ts");
const { useWorkflowRunner } = await import("#shared/workflows/engine.ts");
const root = resolve(import.meta.dirname, "../../..");
const runner = createLocalRunner({ root });
useWorkflowRunner(runner);

const { startApiServer } = await import("#infra/local/api-server.ts");
const { localWebSockets } = await import("#infra/local/websocket-server.ts");
const { routes } = await import("#infra/routes.ts");
const { handler } = await import("#functions/workers/shadow-sync-events.ts");
const { syncReportChanged } = await import("#shared/realtime/fanout.ts");
const { call, newTenant } = await import("#test/helpers/api.ts");
const { openStream } = await import("#test/helpers/realtime.ts");
const { shadowReport, startGatewayEdge } = await import("#test/helpers/edge.ts");
const { firewallDesired } = await import("#test/edge/fixtures/desired.ts");

type Client = Awaited<ReturnType<typeof openStream>>;
type Reported = Awaited<ReturnType<typeof shadowReport>>;
type Message = Record<string, unknown> & { data?: Record<string, unknown> };

const S = "/cloud-integration/security";
const EVENTS = `${S}/events`;

let api: Awaited<ReturnType<typeof startApiServer>>;
let rule: Awaited<ReturnType<typeof startLocalShadowRule>>;
let tenant: Awaited<ReturnType<typeof newTenant>>;
let other: Awaited<ReturnType<typeof newTenant>>;
const opened: Client[] = [];
const gateways: Awaited<ReturnType<typeof startGatewayEdge>>[] = [];

/** The gateway's report on a shadow that satisfies `ok`: the one the shadow holds, or the next accepted one. */
const reported = (thing: string, shadow: string, ok: (r: Reported) => boolean, what: string) =>
  shadowReport(iot.shadows, thing, shadow, ok, what, 60_000);

async function open(token: string) {
  const c = await openStream(api.url, EVENTS, { token });
  opened.push(c);
  c.send({ action: "subscribe", types: ["sync_state"] });
  await c.next((m) => m.type === "subscribed");
  return c;
}

const gatewayFrames = (c: Client) =>
  c.frames.map((f) => f.message as Message).filter((m) => m.type === "sync_state" && m.data?.source === "gateway");

const eventOf = (c: Client, gatewayId: number, status: string, what: string, version?: number) =>
  c.next(
    (m) =>
      m.type === "sync_state" &&
      m.gateway_id === gatewayId &&
      (m as Message).data?.source === "gateway" &&
      (m as Message).data?.area === "firewall" &&
      (m as Message).data?.status === status &&
      (version === undefined || (m as Message).data?.config_version === version),
    { timeoutMs: 60_000, what },
  );

/** [gateway, status] of the gateway-reported frames with one of `statuses`. */
const reportedFrames = (c: Client, ...statuses: string[]) =>
  gatewayFrames(c)
    .filter((m) => statuses.includes(String(m.data?.status)))
    .map((m) => [m.gateway_id, m.data?.status, m.data?.config_version]);

beforeAll(async () => {
  [tenant, other] = await Promise.all([newTenant("ws-gwsync"), newTenant("ws-gwsync-other")]);
  rule = await startLocalShadowRule({ broker: iot.broker.broker, invoke: handler, syncChanged: syncReportChanged });
  api = await startApiServer({ routes, root, port: 0, websockets: localWebSockets({ routes, root }) });
  // The registration's configuration (the new tenant's version 0) applied on both shadows, before
  // any socket opens: version 0 is "nothing applied yet" and carries no event.
  for (const name of ["North edge", "South edge"]) gateways.push(await startGatewayEdge(iot, tenant, name));
  await rule.idle();
}, 180_000);

afterAll(async () => {
  await Promise.all(opened.map((c) => c.close().catch(() => undefined)));
  for (const g of gateways) await g.stop();
  await rule?.stop();
  await api?.close();
  await iot.stop();
});

describe("gateway-reported sync_state events", { timeout: 180_000 }, () => {
  it("a change applied by the gateways yields exactly one `applied` per gateway, to that tenant only", async () => {
    const socket = await open(tenant.token);
    const outsider = await open(other.token);

    const res = await call("POST", `${S}/firewall/whitelist/manage`, {
      token: tenant.token,
      body: { action: "add", ip_address: "10.72.1.0/24" },
    });
    expect(res.status, res.text).toBe(200);
    const version = res.body.config_version as number;
    await runner.settled(res.body.sync.execution_id);

    for (const g of gateways) {
      const got = await eventOf(socket, g.id, "applied", `applied of gateway ${g.id}`, version);
      expect(got.message).toMatchObject({
        type: "sync_state",
        severity: "info",
        tenant: tenant.tenantId,
        gateway_id: g.id,
        data: { area: "firewall", status: "applied", config_version: version, error: null, source: "gateway" },
      });
      // The same keys as the fan-out's events (messages.ts fromSyncOutcome).
      expect(Object.keys((got.message as Message).data ?? {}).sort()).toEqual(
        ["area", "config_version", "error", "execution_id", "outcome", "source", "status"].sort(),
      );
    }
    await rule.idle();
    // Exactly one per gateway for this version (the shadow's later reports of it carry none).
    const applied = gatewayFrames(socket).filter(
      (m) => m.data?.status === "applied" && m.data?.config_version === version,
    );
    expect(applied.map((m) => m.gateway_id).sort()).toEqual(gateways.map((g) => g.id).sort());
    expect(outsider.frames.filter((f) => f.message.type === "sync_state")).toEqual([]);
  });

  it("a ruleset edited by hand on one gateway yields `drifted` for that gateway only", async () => {
    const [north, south] = gateways;
    if (!north || !south) throw new Error("gateways missing");
    const socket = await open(tenant.token);
    const outsider = await open(other.token);

    await appendFile(join(south.dir, "etc", "nftables.d", "warden.nft"), "# opened by hand for a vendor\n");
    const drifted = reported(south.thing, "firewall", (r) => typeof r.drift === "string", "drift reported");
    await south.edge.refreshPosture();
    await drifted;

    const got = await eventOf(socket, south.id, "drifted", "drifted of the south gateway");
    expect(got.message).toMatchObject({ severity: "high", tenant: tenant.tenantId, gateway_id: south.id });
    expect((got.message as Message).data).toMatchObject({ area: "firewall", status: "drifted", source: "gateway" });
    expect(String((got.message as Message).data?.error)).toContain("warden.nft");
    await north.edge.refreshPosture();
    await rule.idle();
    expect(reportedFrames(socket, "drifted", "failed")).toEqual([[south.id, "drifted", expect.any(Number)]]);
    expect(outsider.frames.filter((f) => f.message.type === "sync_state")).toEqual([]);
  });

  it("a configuration the gateway cannot apply yields `failed` naming that version and the error", async () => {
    const [north] = gateways;
    if (!north) throw new Error("gateways missing");
    const socket = await open(tenant.token);
    // A desired document written past the API (as a bad release could): a rule the validator refuses.
    const now = iot.shadows.get(north.thing, "firewall");
    if (now.kind !== "accepted") throw new Error("no firewall shadow");
    const running = Number((now.document.state.reported as Reported | undefined)?.config_version ?? 0);
    const template = firewallDesired({ config_version: running + 1 });
    const bad = {
      ...template,
      rules: template.rules.map((r) => (r.id === 1 ? { ...r, source: "999.1.1.1/33" } : r)),
    };
    const failedReport = reported(north.thing, "firewall", (r) => r.status === "failed", "failed reported");
    expect(iot.shadows.update(north.thing, "firewall", JSON.stringify({ state: { desired: bad } })).kind).toBe(
      "accepted",
    );
    expect(await failedReport).toMatchObject({ failed_version: bad.config_version });

    const got = await eventOf(socket, north.id, "failed", "failed of the north gateway");
    expect(got.message).toMatchObject({ severity: "high", gateway_id: north.id });
    expect((got.message as Message).data).toMatchObject({
      area: "firewall",
      status: "failed",
      config_version: bad.config_version,
      source: "gateway",
    });
    // The validator's message, as the gateway reported it.
    expect((got.message as Message).data?.error).toEqual((await failedReport).error);
    expect((got.message as Message).data?.error).toEqual(expect.stringMatching(/\S/));
    await rule.idle();
    expect(reportedFrames(socket, "drifted", "failed")).toEqual([[north.id, "failed", bad.config_version]]);
  });
});
