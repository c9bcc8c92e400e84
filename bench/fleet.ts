/**
 * Fleet benchmark: time from a settings change over the API to each gateway's shadow reporting the
 * new config version as applied, and the API call's own time, at 1, 100 and 1,000 gateways. The
 * change answers at once and the fleet-sync workflow (the synthesized definition on
 * aws-local-stepfunctions) writes the shadows of the local IoT Core. Gateways are simulated by
 * default (see `startSimulatedFleet`: the edge's reconcile core and renderer, shared MQTT
 * connections, `nft -c` once per distinct ruleset); `mode: "edges"` starts one real edge handler per
 * gateway instead (sandbox directories, own MQTT connection, `nft -c` on every apply).
 *
 * `benchFleet({ gateways })` runs in a fresh Node process, because the shared code reads its
 * environment (the local IoT Core's endpoints) once at import. It reuses DynamoDB Local when
 * `DYNAMODB_ENDPOINT` and `TABLE_NAME` are set (as `npm run bench` sets them), else starts one.
 * Figures are returned, never asserted: timing assertions flake on shared machines.
 *
 * Run alone: `npx tsx bench/fleet.ts 1000 [changes] [edges]`.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { pct } from "./stats.ts";

const run = promisify(execFile);
const root = resolve(import.meta.dirname, "..");
const CHILD_FLAG = "--fleet-bench-child";

export interface FleetBenchResult {
  gateways: number;
  /** "simulated": the reconcile core on shared MQTT connections; "edges": one real edge handler each. */
  mode: "simulated" | "edges";
  changes: number;
  samples: number;
  /** Per gateway: API call start → that gateway's shadow reports the new version applied. */
  apiToReportedMs: { p50: number; p99: number };
  /** Per change: API call start → the last gateway reported it applied. */
  apiToAllAppliedMs: { p50: number; p99: number };
  /**
   * How long the API call itself took (save the version, start the fan-out), for the measured
   * changes, each sent once the previous fan-out ended. The burst's calls are apart (`burst`): there
   * the API shares this one process with running fan-outs, which in AWS it does not.
   */
  apiCallMs: { p50: number; p99: number };
  /** How many API calls `apiCallMs` is over. */
  apiCalls: number;
  /** The first call of the process (its code paths not yet compiled): inside apiCallMs, printed apart. */
  firstApiCallMs: number;
  /**
   * `BURST_CALLS` changes, one every BURST_INTERVAL_MS, each answered while earlier fan-outs still
   * run: the call's own time, and burst start → the last version applied on every gateway (the
   * superseded ones need not be).
   */
  burst: { calls: number; apiCallMs: { p50: number; p99: number }; lastAppliedEverywhereMs: number };
  /** Simulated mode: distinct rulesets checked with the real `nft -c`, and how many applies reused a check. */
  nft?: { distinctChecked: number; appliesCovered: number; validation: string };
  /** Simulated mode: MQTT connections the gateways share. */
  connections?: number;
}

export interface FleetBenchOptions {
  gateways: number;
  changes?: number;
  /** Default "simulated"; "edges" starts one real edge handler per gateway (at most a few hundred). */
  mode?: "simulated" | "edges";
}

export async function benchFleet(opts: FleetBenchOptions): Promise<FleetBenchResult> {
  const { stdout } = await run(
    process.execPath,
    [
      "--import",
      "tsx",
      fileURLToPath(import.meta.url),
      CHILD_FLAG,
      String(opts.gateways),
      String(opts.changes ?? 0),
      opts.mode ?? "simulated",
    ],
    { cwd: root, env: { ...process.env, WARDEN_LOG_LEVEL: "silent" }, maxBuffer: 16 * 1024 * 1024, timeout: 900_000 },
  );
  const last = stdout.trim().split("\n").at(-1) ?? "";
  return JSON.parse(last) as FleetBenchResult;
}

/** Fleet sizes of the default run, and of WARDEN_BENCH_FLEET=long. */
const DEFAULT_RUN: FleetBenchOptions[] = [
  { gateways: 1, changes: 20 },
  { gateways: 100, changes: 10 },
  { gateways: 1000, changes: 4 },
];
const LONG_RUN: FleetBenchOptions[] = [
  { gateways: 1, changes: 50 },
  { gateways: 100, changes: 30 },
  { gateways: 1000, changes: 15 },
  { gateways: 100, changes: 5, mode: "edges" },
];

/** What `npm run bench` prints for the fleet (bench/extra.ts calls it). */
export async function printFleetBench(): Promise<void> {
  const long = process.env.WARDEN_BENCH_FLEET === "long";
  console.log(
    "\nFleet: settings change → every gateway reports it applied (fleet-sync workflow on aws-local-stepfunctions, " +
      "local IoT Core; simulated gateways run the edge's reconcile core and renderer, sharing MQTT connections; " +
      `nft -c once per distinct ruleset)${long ? "" : "; WARDEN_BENCH_FLEET=long for more changes and real edges"}:`,
  );
  console.log(
    `${"".padEnd(22)}${"API call p50/p99".padStart(20)}${"→ applied p50/p99 (per gateway)".padStart(36)}${"→ all applied p50/p99".padStart(26)}`,
  );
  for (const opts of long ? LONG_RUN : DEFAULT_RUN) {
    const r = await benchFleet(opts);
    const ms = (x: { p50: number; p99: number }) => `${x.p50.toFixed(0)} / ${x.p99.toFixed(0)} ms`;
    const label = `${r.gateways} gateway${r.gateways > 1 ? "s" : ""}${r.mode === "edges" ? " (real edges)" : ""}`;
    console.log(
      `${label.padEnd(22)}${ms(r.apiCallMs).padStart(20)}${ms(r.apiToReportedMs).padStart(36)}${ms(r.apiToAllAppliedMs).padStart(26)}` +
        `  (${r.changes} changes; first ${r.firstApiCallMs.toFixed(0)} ms, then ${r.burst.calls} changes paced 500 ms apart while fan-outs run: API p50/p99 ${r.burst.apiCallMs.p50.toFixed(0)}/${r.burst.apiCallMs.p99.toFixed(0)} ms (API, runner, shadows and fleet share one process here), burst's last version on every gateway ${r.burst.lastAppliedEverywhereMs.toFixed(0)} ms; ${r.samples} samples${r.nft ? `; nft -c: ${r.nft.distinctChecked} rulesets for ${r.nft.appliesCovered} applies, ${r.nft.validation}` : ""}${r.connections ? `; ${r.connections} MQTT connections` : ""})`,
    );
  }
  console.log(
    "targets: API call p99 ≤ 100 ms at 1,000 gateways and not growing with the fleet; 1,000 gateways all applied ≤ 10 s p50 (locally)",
  );
}

/**
 * Changes sent one every BURST_INTERVAL_MS after the measured ones (see `burst`): an operator's
 * script adding addresses one by one, each change answered while earlier fan-outs still run. With
 * them a run stays under the tenant's 100 calls a minute.
 */
const BURST_CALLS = 20;
const BURST_INTERVAL_MS = 500;

/** Gateways per shared MQTT connection in simulated mode. */
const GATEWAYS_PER_CONNECTION = 50;

type Reported = import("#edge/contract.ts").ReportedState;

/**
 * Simulated gateways: per thing, the edge's decision core (edge/reconcile.ts `reconcile`,
 * `reportAfterApply`) and its nftables renderer (edge/render-nft.ts) — what edge/edge.ts does with a
 * firewall document, minus the files: the rendered ruleset is checked with the real `nft -c` once
 * per distinct text (all gateways of a tenant-wide change render the same ruleset; the check is
 * shared, not skipped) and the report, with `desired` cleared conditioned on the shadow version, is
 * published on the thing's own update topic. Gateways share MQTT connections (50 per connection,
 * each subscribed to its gateways' own topics), since 1,000 clients in one process measure the
 * process, not the fan-out.
 */
async function startSimulatedFleet(mqttUrl: string, things: string[]) {
  const mqtt = (await import("mqtt")).default;
  const { reconcile, reportAfterApply } = await import("#edge/reconcile.ts");
  const { renderNftRuleset } = await import("#edge/render-nft.ts");
  const { checkNftRuleset } = await import("#edge/tools.ts");
  const { namedShadowTopic } = await import("#edge/contract.ts");
  const { createHash } = await import("node:crypto");
  const { writeFile } = await import("node:fs/promises");
  const dir = await mkdtemp(join(tmpdir(), "warden-bench-nft-"));
  const checks = new Map<string, Promise<{ ok: boolean; validation: string; error?: string }>>();
  let applies = 0;
  const validate = (text: string) => {
    applies++;
    const digest = createHash("sha256").update(text).digest("hex");
    let check = checks.get(digest);
    if (!check) {
      check = (async () => {
        const file = join(dir, `${digest}.nft`);
        await writeFile(file, text);
        const r = await checkNftRuleset("/usr/sbin/nft", file, "/etc/nftables.d/warden.nft");
        if (r.status === "valid") return { ok: true, validation: "nft -c" };
        if (r.status === "unavailable") return { ok: true, validation: `skipped: ${r.reason}` };
        return { ok: false, validation: "nft -c", error: r.error };
      })();
      checks.set(digest, check);
    }
    return check;
  };

  const local = new Map<string, Reported | undefined>();
  const queue = new Map<string, Promise<void>>();
  const clients: import("mqtt").MqttClient[] = [];
  const onDocument = async (
    client: import("mqtt").MqttClient,
    thing: string,
    desired: unknown,
    reported: unknown,
    version: unknown,
  ) => {
    const now = new Date();
    const actions = reconcile(desired ?? undefined, reported, { shadow: "firewall", local: local.get(thing), now });
    for (const action of actions) {
      if (action.kind === "apply-firewall") {
        const { text } = renderNftRuleset(action.config, { now });
        const verdict = await validate(text);
        const outcome = verdict.ok
          ? { ok: true as const, version: action.config.config_version, validation: verdict.validation }
          : { ok: false as const, version: action.config.config_version, error: verdict.error ?? "invalid" };
        const report = reportAfterApply(outcome, local.get(thing), now);
        local.set(thing, report);
        const clear = verdict.ok && action.clearDesired && typeof version === "number";
        const body = clear ? { state: { reported: report, desired: null }, version } : { state: { reported: report } };
        client.publish(namedShadowTopic(thing, "firewall", "update"), JSON.stringify(body), { qos: 1 });
      } else if (action.kind === "report") {
        const body = action.clearDesired
          ? { state: { reported: action.reported, desired: null }, version }
          : { state: { reported: action.reported } };
        client.publish(namedShadowTopic(thing, "firewall", "update"), JSON.stringify(body), { qos: 1 });
      }
    }
  };
  for (let i = 0; i < things.length; i += GATEWAYS_PER_CONNECTION) {
    const mine = things.slice(i, i + GATEWAYS_PER_CONNECTION);
    const client = await mqtt.connectAsync(mqttUrl, { clientId: `bench-fleet-${i}`, reconnectPeriod: 0 });
    clients.push(client);
    client.on("message", (topic, payload) => {
      const thing = topic.split("/")[2] ?? "";
      const body = JSON.parse(payload.toString("utf8")) as Record<string, unknown>;
      const doc = (topic.endsWith("/update/documents") ? (body.current as Record<string, unknown>) : body) ?? {};
      const state = (doc.state as { desired?: unknown; reported?: unknown } | undefined) ?? {};
      // One document at a time per gateway, in arrival order (as the edge does).
      const prev = queue.get(thing) ?? Promise.resolve();
      queue.set(
        thing,
        prev.then(() => onDocument(client, thing, state.desired, state.reported, doc.version)).catch(() => undefined),
      );
    });
    await client.subscribeAsync(
      mine.flatMap((t) => [
        namedShadowTopic(t, "firewall", "get/accepted"),
        namedShadowTopic(t, "firewall", "update/documents"),
      ]),
      { qos: 1 },
    );
    for (const t of mine) client.publish(namedShadowTopic(t, "firewall", "get"), "{}", { qos: 1 });
  }
  return {
    connections: clients.length,
    nft: () => ({ distinctChecked: checks.size, appliesCovered: applies }),
    validations: async () => [
      ...new Set(await Promise.all([...checks.values()].map(async (c) => (await c).validation))),
    ],
    stop: async () => {
      await Promise.all(clients.map((c) => c.endAsync()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** In the child: the whole fleet in this process. */
async function measure(
  gatewayCount: number,
  changesWanted: number,
  mode: "simulated" | "edges",
): Promise<FleetBenchResult> {
  const { useBenchEnvironment } = await import("./env.ts");
  const { startLocalIot, usePlatformWithLocalIot } = await import("#infra/local/iot/index.ts");
  const cleanup: (() => Promise<unknown>)[] = [];
  try {
    const table = await useBenchEnvironment("warden-bench-fleet", { WARDEN_SIGNUP_PLAN: "enterprise" });
    cleanup.push(() => table.stop());

    const iot = await startLocalIot();
    cleanup.push(() => iot.stop());
    await usePlatformWithLocalIot(iot);
    // The fan-out runs as in local mode: the API answers, the workflow writes the shadows after.
    const { createLocalRunner } = await import("#infra/local/workflows/runner-local.ts");
    const { useWorkflowRunner } = await import("#shared/workflows/engine.ts");
    const runner = createLocalRunner({ root });
    useWorkflowRunner(runner);

    const { call, newTenant } = await import("#test/helpers/api.ts");
    const { registerGateway } = await import("#shared/fleet/gateways.ts");

    const tenant = await newTenant("bench-fleet");
    const dir = await mkdtemp(join(tmpdir(), "warden-bench-fleet-"));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));

    // Applied reports, by thing and version, as they reach `update/accepted`.
    const arrivals = new Map<string, number>();
    const waiters = new Map<string, () => void>();
    iot.shadows.on("publish", (p) => {
      if (p.shadowName !== "firewall" || !p.topic.endsWith("/update/accepted")) return;
      const r = (p.payload as { state?: { reported?: { config_version?: number; status?: string } } }).state?.reported;
      if (r?.status !== "applied" || r.config_version === undefined) return;
      const key = `${p.thing}#${r.config_version}`;
      if (!arrivals.has(key)) arrivals.set(key, performance.now());
      waiters.get(key)?.();
    });
    const appliedBy = (thing: string, version: number) =>
      new Promise<number>((resolvePromise) => {
        const key = `${thing}#${version}`;
        const done = () => {
          waiters.delete(key);
          resolvePromise(arrivals.get(key) ?? performance.now());
        };
        if (arrivals.has(key)) done();
        else waiters.set(key, done);
      });

    // Registration goes through the domain (the API's per-tenant rate limit would pace a fleet of them),
    // a few at a time: thing, certificate, policy, record and first desired documents, as in production.
    const things: string[] = new Array(gatewayCount);
    let nextIndex = 0;
    await Promise.all(
      Array.from({ length: Math.min(8, gatewayCount) }, async () => {
        while (nextIndex < gatewayCount) {
          const i = nextIndex++;
          const g = await registerGateway(tenant.tenantId, "bench", { name: `bench gateway ${i + 1}` });
          things[i] = g.gateway.thing_name;
        }
      }),
    );
    const ready = Promise.all(things.map((thing) => appliedBy(thing, 0)));
    let sim: Awaited<ReturnType<typeof startSimulatedFleet>> | undefined;
    if (mode === "simulated") {
      sim = await startSimulatedFleet(iot.mqttUrl, things);
      const s = sim;
      cleanup.unshift(() => s.stop());
    } else {
      const { startEdge } = await import("#edge/edge.ts");
      const { quietEdgeOptions } = await import("#test/helpers/edge.ts");
      const edges = await Promise.all(
        things.map((thing) =>
          startEdge(
            quietEdgeOptions({
              thingName: thing,
              tenant: tenant.tenantId,
              mqttUrl: iot.mqttUrl,
              stateDir: join(dir, thing),
            }),
          ),
        ),
      );
      cleanup.unshift(() => Promise.all(edges.map((e) => e.stop())));
    }
    await ready;

    const changes = changesWanted > 0 ? changesWanted : 5;
    const samples: number[] = [];
    const allApplied: number[] = [];
    const apiCalls: number[] = [];
    for (let i = 0; i < changes; i++) {
      const t0 = performance.now();
      const res = await call("POST", "/cloud-integration/security/firewall/whitelist/manage", {
        token: tenant.token,
        body: { action: i % 2 === 0 ? "add" : "remove", ip_address: "10.99.0.0/24" },
      });
      apiCalls.push(performance.now() - t0);
      if (res.status !== 200) throw new Error(`change ${i}: ${res.status} ${res.text}`);
      const version = res.body.config_version as number;
      const reached = await Promise.all(things.map((thing) => appliedBy(thing, version)));
      for (const t of reached) samples.push(t - t0);
      allApplied.push(Math.max(...reached) - t0);
      await runner.settled(res.body.sync.execution_id as string);
    }

    // Paced changes while the fan-out of the previous ones still runs: the API call's own time with
    // the fleet being written (each call supersedes the one before; only the last version has to
    // reach every gateway). These samples make the p99 of the API call mean more: ten changes
    // alone give a p99 that is just their slowest. The API, the workflow runner, the shadow
    // service and the simulated fleet share this one process here (in AWS they do not).
    const burstCalls: number[] = [];
    const burstExecutions: string[] = [];
    let lastVersion = -1;
    const burstStart = performance.now();
    for (let i = 0; i < BURST_CALLS; i++) {
      const t0 = performance.now();
      const res = await call("POST", "/cloud-integration/security/firewall/whitelist/manage", {
        token: tenant.token,
        body: { action: (changes + i) % 2 === 0 ? "add" : "remove", ip_address: "10.99.0.0/24" },
      });
      burstCalls.push(performance.now() - t0);
      if (res.status !== 200) throw new Error(`burst change ${i}: ${res.status} ${res.text}`);
      lastVersion = res.body.config_version as number;
      burstExecutions.push(res.body.sync.execution_id as string);
      const next = burstStart + (i + 1) * BURST_INTERVAL_MS;
      if (performance.now() < next) await new Promise((r) => setTimeout(r, next - performance.now()));
    }
    const burstReached = await Promise.all(things.map((thing) => appliedBy(thing, lastVersion)));
    const burstAllAppliedMs = Math.max(...burstReached) - burstStart;
    for (const id of burstExecutions) await runner.settled(id);

    const round = (n: number) => Math.round(n * 10) / 10;
    const p = (xs: number[]) => ({ p50: round(pct(xs, 50)), p99: round(pct(xs, 99)) });
    return {
      gateways: gatewayCount,
      mode,
      changes,
      samples: samples.length,
      apiToReportedMs: p(samples),
      apiToAllAppliedMs: p(allApplied),
      apiCallMs: p(apiCalls),
      apiCalls: apiCalls.length,
      firstApiCallMs: round(apiCalls[0] ?? Number.NaN),
      burst: { calls: burstCalls.length, apiCallMs: p(burstCalls), lastAppliedEverywhereMs: round(burstAllAppliedMs) },
      ...(sim && {
        connections: sim.connections,
        nft: { ...sim.nft(), validation: (await sim.validations()).join(", ") },
      }),
    };
  } finally {
    for (const step of cleanup) await step().catch(() => undefined);
  }
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const args = process.argv.slice(2);
  if (args[0] === CHILD_FLAG) {
    measure(Number(args[1]), Number(args[2] ?? 0), args[3] === "edges" ? "edges" : "simulated").then(
      (r) => {
        process.stdout.write(`${JSON.stringify(r)}\n`);
        process.exit(0);
      },
      (e) => {
        process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
        process.exit(1);
      },
    );
  } else {
    const gateways = Number(args[0] ?? 1000);
    benchFleet({ gateways, changes: Number(args[1] ?? 0), mode: args[2] === "edges" ? "edges" : "simulated" }).then(
      (r) => console.log(JSON.stringify(r, null, 2)),
      (e) => {
        console.error(e);
        process.exitCode = 1;
      },
    );
  }
}
