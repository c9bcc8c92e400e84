/**
 * Fleet benchmark: time from a settings change over the API to each gateway's shadow reporting the
 * new config version as applied, for 1 gateway and for 100 simulated gateways (real edge handlers
 * in sandbox directories, each with its own MQTT connection; every apply runs `nft -c`).
 *
 * `benchFleet({ gateways })` runs in a fresh Node process, because the shared code reads its
 * environment (the local IoT Core's endpoints) once at import. It reuses DynamoDB Local when
 * `DYNAMODB_ENDPOINT` and `TABLE_NAME` are set (as `npm run bench` sets them), else starts one.
 * Figures are returned, never asserted: timing assertions flake on shared machines.
 *
 * Run alone: `npx tsx bench/fleet.ts 100`.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
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
  changes: number;
  samples: number;
  apiToReportedMs: { p50: number; p99: number };
  /** How long the API call itself took (save + write every affected shadow), for comparison. */
  apiCallMs: { p50: number; p99: number };
}

export async function benchFleet(opts: { gateways: 1 | 100; changes?: number }): Promise<FleetBenchResult> {
  const { stdout } = await run(
    process.execPath,
    ["--import", "tsx", fileURLToPath(import.meta.url), CHILD_FLAG, String(opts.gateways), String(opts.changes ?? 0)],
    { cwd: root, env: { ...process.env, WARDEN_LOG_LEVEL: "silent" }, maxBuffer: 16 * 1024 * 1024, timeout: 600_000 },
  );
  const last = stdout.trim().split("\n").at(-1) ?? "";
  return JSON.parse(last) as FleetBenchResult;
}

/** In the child: the whole fleet in this process. */
async function measure(gatewayCount: number, changesWanted: number): Promise<FleetBenchResult> {
  const { ensureTable, startDynamoDbLocal } = await import("#infra/local/dynamodb-local.ts");
  const { generateJwtKeyPem } = await import("#infra/local/keys.ts");
  const { startLocalIot, usePlatformWithLocalIot } = await import("#infra/local/iot/index.ts");
  const cleanup: (() => Promise<unknown>)[] = [];
  try {
    if (!process.env.DYNAMODB_ENDPOINT) {
      const dynamo = await startDynamoDbLocal();
      cleanup.push(() => dynamo.stop());
      process.env.DYNAMODB_ENDPOINT = dynamo.endpoint;
      process.env.TABLE_NAME = "warden-bench-fleet";
    }
    await ensureTable(process.env.DYNAMODB_ENDPOINT, process.env.TABLE_NAME ?? "warden");
    process.env.WARDEN_JWT_PRIVATE_KEY ??= generateJwtKeyPem();
    process.env.WARDEN_DATA_KEY ??= randomBytes(32).toString("base64");
    process.env.AWS_REGION ??= "us-east-1";

    const iot = await startLocalIot();
    cleanup.push(() => iot.stop());
    await usePlatformWithLocalIot(iot);

    const { call, newTenant } = await import("#test/helpers/api.ts");
    const { registerGateway } = await import("#shared/fleet/gateways.ts");
    const { startEdge } = await import("#edge/edge.ts");

    const tenant = await newTenant("bench-fleet");
    const dir = await mkdtemp(join(tmpdir(), "warden-bench-fleet-"));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));

    // Applied reports, by thing and shadow version, as they reach `update/accepted`.
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

    // Registration goes through the domain (the API's per-tenant rate limit would pace 100 of them).
    const things: string[] = [];
    for (let i = 0; i < gatewayCount; i++) {
      const g = await registerGateway(tenant.tenantId, "bench", { name: `bench gateway ${i + 1}` });
      things.push(g.gateway.thing_name);
    }
    const edges = await Promise.all(
      things.map(async (thing) => {
        const ready = appliedBy(thing, 0);
        const edge = await startEdge({
          thingName: thing,
          tenant: tenant.tenantId,
          mqttUrl: iot.mqttUrl,
          stateDir: join(dir, thing),
          sandbox: true,
          firewallLog: null,
          authLog: null,
          metricsIntervalMs: 0,
          logLevel: "silent",
        });
        await ready;
        return edge;
      }),
    );
    cleanup.unshift(() => Promise.all(edges.map((e) => e.stop())));

    const changes = changesWanted > 0 ? changesWanted : gatewayCount === 1 ? 30 : 5;
    const samples: number[] = [];
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
    }
    const round = (n: number) => Math.round(n * 10) / 10;
    return {
      gateways: gatewayCount,
      changes,
      samples: samples.length,
      apiToReportedMs: { p50: round(pct(samples, 50)), p99: round(pct(samples, 99)) },
      apiCallMs: { p50: round(pct(apiCalls, 50)), p99: round(pct(apiCalls, 99)) },
    };
  } finally {
    for (const step of cleanup) await step().catch(() => undefined);
  }
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const args = process.argv.slice(2);
  if (args[0] === CHILD_FLAG) {
    measure(Number(args[1]), Number(args[2] ?? 0)).then(
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
    const n = Number(args[0] ?? 1) === 100 ? 100 : 1;
    benchFleet({ gateways: n }).then(
      (r) =>
        console.log(
          `fleet of ${r.gateways}: API → reported p50 ${r.apiToReportedMs.p50} ms, p99 ${r.apiToReportedMs.p99} ms ` +
            `(${r.samples} samples; the API call itself p50 ${r.apiCallMs.p50} ms, p99 ${r.apiCallMs.p99} ms)`,
        ),
      (e) => {
        console.error(e);
        process.exitCode = 1;
      },
    );
  }
}
