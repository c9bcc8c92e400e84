/**
 * Gateways running the real edge handler (sandbox mode) against the local IoT Core, with clean
 * teardown (edges stopped before the broker, sandbox directories removed).
 *
 * - `startEdgeLab()`: for the edge's own tests — a local IoT Core of its own, the cloud's side of it
 *   (the HTTP data plane as the Warden functions use it, an MQTT inbox), and edges on things that
 *   need no registration (tenant "acme"; every follower and timer on, as on a device).
 * - `startGatewayEdge()`: for platform tests — a gateway registered through the API of a tenant,
 *   its edge started quiet (no log followers, no metrics or posture timers unless asked), answered
 *   once the registration's configuration is applied on both shadows.
 * - `shadowReport()`: what a shadow reports now or next, awaited on the shadow service (no sleeping).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetThingShadowCommand, IoTDataPlaneClient, UpdateThingShadowCommand } from "@aws-sdk/client-iot-data-plane";
import type { ShadowName } from "#edge/contract.ts";
import { type EdgeHandle, type StartEdgeOptions, startEdge } from "#edge/edge.ts";
import {
  type LocalIot,
  type LocalIotOptions,
  type ShadowPublication,
  type ShadowService,
  startLocalIot,
} from "#infra/local/iot/index.ts";
import { connectInbox, type Inbox } from "#test/iot/support/mqtt-inbox.ts";

// --- an edge on its own ------------------------------------------------------------------------

/** A sandboxed edge as the edge's tests run it: tenant "acme", quick reconnects, silent; `overrides` win. */
export async function startSandboxEdge(
  mqttUrl: string,
  thingName: string,
  overrides: Partial<StartEdgeOptions> = {},
): Promise<{ edge: EdgeHandle; stateDir: string }> {
  const stateDir = await mkdtemp(join(tmpdir(), `warden-edge-${thingName}-`));
  const edge = await startEdge({
    thingName,
    tenant: "acme",
    mqttUrl,
    stateDir,
    sandbox: true,
    logLevel: "silent",
    backoff: { initialMs: 50, maxMs: 400 },
    ...overrides,
  });
  return { edge, stateDir };
}

/**
 * A local IoT Core with the cloud's side of it and the edges a test starts on it. `watch`: MQTT
 * topic filters the cloud's inbox subscribes to from the start (`cloud` throws when none were given).
 * `stop()` stops the edges, the client, the inbox and the broker, and removes the edges' directories.
 */
export async function startEdgeLab(opts: { watch?: string[]; iot?: LocalIotOptions } = {}) {
  const iot = await startLocalIot(opts.iot);
  const dataPlane = new IoTDataPlaneClient({
    endpoint: iot.dataPlaneEndpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  const inbox = opts.watch ? await connectInbox(iot.mqttUrl, opts.watch).catch(stopAndThrow) : undefined;
  const started: { edge: EdgeHandle; stateDir: string }[] = [];

  async function stopAndThrow(e: unknown): Promise<never> {
    dataPlane.destroy();
    await iot.stop();
    throw e;
  }

  return {
    iot,
    /** The HTTP data plane, as the Warden functions write desired and read shadows. */
    dataPlane,
    /** The cloud's MQTT view: every message on the `watch` topics since the lab started. */
    get cloud(): Inbox {
      if (!inbox) throw new Error("startEdgeLab({ watch }) names no topics: there is no inbox");
      return inbox;
    },

    /** Starts a sandboxed edge on `thing` and answers once it is connected and subscribed. */
    async gateway(thing: string, overrides: Partial<StartEdgeOptions> = {}) {
      const gw = await startSandboxEdge(iot.mqttUrl, thing, overrides);
      started.push(gw);
      await gw.edge.whenConnected();
      return gw;
    },

    /** Writes a shadow's desired state over the data plane, as the platform does. */
    async writeDesired(thing: string, shadow: ShadowName, desired: object): Promise<void> {
      await dataPlane.send(
        new UpdateThingShadowCommand({
          thingName: thing,
          shadowName: shadow,
          payload: Buffer.from(JSON.stringify({ state: { desired } })),
        }),
      );
    },

    /** The shadow document as GetThingShadow answers it (state.desired/reported/delta, version). */
    async shadowDocument(thing: string, shadow: ShadowName) {
      const out = await dataPlane.send(new GetThingShadowCommand({ thingName: thing, shadowName: shadow }));
      return JSON.parse(Buffer.from(out.payload ?? []).toString("utf8"));
    },

    async stop(): Promise<void> {
      for (const { edge } of started) await edge.stop();
      dataPlane.destroy();
      await inbox?.close();
      await iot.stop();
      await Promise.all(started.map(({ stateDir }) => rm(stateDir, { recursive: true, force: true })));
    },
  };
}

export type EdgeLab = Awaited<ReturnType<typeof startEdgeLab>>;

// --- a registered gateway on the platform --------------------------------------------------------

/** The fields of a shadow's reported state the platform tests wait on. */
export interface Reported {
  status?: string;
  config_version?: number;
  failed_version?: number;
  error?: string;
  validation?: string;
  listening?: string[];
  weak_keys?: string[];
  drift?: string;
}

/**
 * The report `thing`'s `shadow` holds now, or else the next one the shadow service accepts, that
 * satisfies `ok`; fails after `timeoutMs` naming `what`.
 */
export function shadowReport(
  shadows: ShadowService,
  thing: string,
  shadow: string,
  ok: (r: Reported) => boolean,
  what: string,
  timeoutMs = 60_000,
): Promise<Reported> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      shadows.off("publish", on);
      reject(new Error(`timed out waiting for ${what}`));
    }, timeoutMs);
    const done = (r: Reported) => {
      clearTimeout(timer);
      shadows.off("publish", on);
      resolve(r);
    };
    const on = (p: ShadowPublication) => {
      if (p.thing !== thing || p.shadowName !== shadow || !p.topic.endsWith("/update/accepted")) return;
      const r = (p.payload as { state?: { reported?: Reported } }).state?.reported;
      if (r && ok(r)) done(r);
    };
    shadows.on("publish", on);
    const now = shadows.get(thing, shadow);
    const current = now.kind === "accepted" ? (now.document.state as { reported?: Reported }).reported : undefined;
    if (current && ok(current)) done(current);
  });
}

/**
 * The next publication of the shadow service that satisfies `match` (register it before the action
 * that causes it); fails after `timeoutMs` naming `what`.
 */
export function nextPublication(
  shadows: ShadowService,
  match: (p: ShadowPublication) => boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<ShadowPublication> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      shadows.off("publish", on);
      reject(new Error(`timed out waiting for ${what}`));
    }, timeoutMs);
    const on = (p: ShadowPublication) => {
      if (!match(p)) return;
      clearTimeout(timer);
      shadows.off("publish", on);
      resolve(p);
    };
    shadows.on("publish", on);
  });
}

/**
 * How platform tests run an edge: sandbox, silent, reconnecting within a second, no log followers
 * and no metrics or posture timers (a test asks for a posture report with `refreshPosture()`).
 */
export function quietEdgeOptions(
  at: { thingName: string; tenant: string; mqttUrl: string; stateDir: string },
  overrides: Partial<StartEdgeOptions> = {},
): StartEdgeOptions {
  return {
    ...at,
    sandbox: true,
    firewallLog: null,
    authLog: null,
    metricsIntervalMs: 0,
    postureIntervalMs: 0,
    backoff: { initialMs: 100, maxMs: 1000 },
    logLevel: "silent",
    ...overrides,
  };
}

export interface GatewayEdge {
  id: number;
  thing: string;
  name: string;
  /** The edge's sandbox directory (etc/, log/, state/). */
  dir: string;
  edge: EdgeHandle;
  /** Stops the edge and removes its directory. */
  stop(): Promise<void>;
}

/**
 * Registers a gateway named `name` through the API (POST /gateways, as a user does), starts the
 * real edge handler for its thing and answers once both shadows report the registration's
 * configuration applied (`appliedVersion`, when given, must be its version).
 *
 * `followLogs`: the edge follows its sandbox's kern.log and auth.log (off by default).
 * Import this module after `usePlatformWithLocalIot` (it calls the API).
 */
export async function startGatewayEdge(
  iot: Pick<LocalIot, "mqttUrl" | "shadows">,
  tenant: { token: string; tenantId: string },
  name: string,
  opts: { followLogs?: boolean; appliedVersion?: number; edge?: Partial<StartEdgeOptions>; timeoutMs?: number } = {},
): Promise<GatewayEdge> {
  const { call } = await import("./api.ts");
  const { expect } = await import("vitest");
  const res = await call("POST", "/cloud-integration/security/gateways", { token: tenant.token, body: { name } });
  expect(res.status, res.text).toBe(201);
  const id = res.body.gateway.id as number;
  const thing = res.body.gateway.thing_name as string;
  const dir = await mkdtemp(join(tmpdir(), "warden-gateway-edge-"));
  const ready = Promise.all(
    (["firewall", "ssh"] as const).map((shadow) =>
      shadowReport(
        iot.shadows,
        thing,
        shadow,
        (r) =>
          r.status === "applied" && (opts.appliedVersion === undefined || r.config_version === opts.appliedVersion),
        `${name}: ${shadow} applied`,
        opts.timeoutMs,
      ),
    ),
  );
  const logs = opts.followLogs ? { firewallLog: undefined, authLog: undefined } : {};
  let edge: EdgeHandle | undefined;
  try {
    edge = await startEdge(
      quietEdgeOptions(
        { thingName: thing, tenant: tenant.tenantId, mqttUrl: iot.mqttUrl, stateDir: dir },
        {
          ...logs,
          ...opts.edge,
        },
      ),
    );
    await ready;
  } catch (e) {
    ready.catch(() => undefined);
    await edge?.stop();
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
  const running = edge;
  return {
    id,
    thing,
    name,
    dir,
    edge: running,
    async stop() {
      await running.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
