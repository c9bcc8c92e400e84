/**
 * Certificate renewal benchmark: wall time of a renewal on this machine, from POST
 * /certificates/renew to the gateway's installation reported (p50 of 5), against Debian's pebble
 * (real HTTP-01 validation), the state machine run by the local runner, the gateway's side by the
 * real edge handler in sandbox mode (openssl key and CSR, challenge files in its webroot served by a
 * static file server standing in for nginx, install with openssl checks); and the DynamoDB calls
 * each step makes (a wait step's figure includes the ingest of the gateway's answer).
 *
 * Runs in a fresh Node process (the shared code reads its environment once at import). Figures
 * are returned, never asserted. Run alone: `npx tsx bench/certificates.ts`.
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
const CHILD_FLAG = "--certificates-bench-child";

export interface RenewalBenchResult {
  renewals: number;
  wallMs: { p50: number; max: number };
  /** DynamoDB calls per state, median over the renewals. */
  dbCallsPerStep: Record<string, number>;
  outcome: string[];
}

export async function benchCertificates(): Promise<RenewalBenchResult | { skipped: string }> {
  const { stdout } = await run(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), CHILD_FLAG], {
    cwd: root,
    env: { ...process.env, WARDEN_LOG_LEVEL: "silent" },
    maxBuffer: 16 * 1024 * 1024,
    timeout: 600_000,
  });
  return JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}");
}

async function measure(renewals: number): Promise<RenewalBenchResult | { skipped: string }> {
  const { pebbleInstalled, startPebble } = await import("#infra/local/workflows/pebble.ts");
  if (!pebbleInstalled()) return { skipped: "Debian's pebble is not installed" };
  const cleanup: (() => Promise<unknown>)[] = [];
  const dir = await mkdtemp(join(tmpdir(), "warden-bench-acme-"));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  try {
    const base = 30000 + ((process.pid * 7) % 20000);
    const pebble = await startPebble({
      dir,
      port: base,
      managementPort: base + 1,
      httpPort: base + 2,
      dnsPort: base + 4,
    });
    if (!pebble) return { skipped: "pebble did not start" };
    cleanup.push(() => pebble.stop());
    process.env.WARDEN_ACME_DIRECTORY = pebble.directoryUrl;
    process.env.WARDEN_ACME_CA_FILE = pebble.caFile;
    const { useBenchEnvironment } = await import("./env.ts");
    const table = await useBenchEnvironment("warden-bench-certificates");
    cleanup.push(() => table.stop());

    const { startLocalIot, usePlatformWithLocalIot } = await import("#infra/local/iot/index.ts");
    const iot = await startLocalIot();
    cleanup.push(() => iot.stop());
    await usePlatformWithLocalIot(iot);
    const { dbCalls } = await import("#shared/table/client.ts");
    const perStep = new Map<string, number[]>();
    const { createLocalRunner } = await import("#infra/local/workflows/runner-local.ts");
    const { useWorkflowRunner } = await import("#shared/workflows/engine.ts");
    const runner = createLocalRunner({
      root,
      instrument: async (state, task) => {
        const before = dbCalls().total;
        try {
          return await task();
        } finally {
          perStep.set(state, [...(perStep.get(state) ?? []), dbCalls().total - before]);
        }
      },
    });
    useWorkflowRunner(runner);
    const { call, newTenant } = await import("#test/helpers/api.ts");
    const { handler } = await import("#functions/iot/ingest.ts");
    const { startLocalIotRule } = await import("#infra/local/local-iot-rule.ts");
    const { startEdge } = await import("#edge/edge.ts");
    const { quietEdgeOptions } = await import("#test/helpers/edge.ts");
    const { serveAcmeWebroot } = await import("#test/helpers/certificates-gateway.ts");

    const t = await newTenant("bench-renewal");
    const reg = await call("POST", "/cloud-integration/security/gateways", { token: t.token, body: { name: "edge" } });
    const rule = await startLocalIotRule({ broker: iot.broker.broker, invoke: handler });
    cleanup.push(() => rule.stop());
    const edgeDir = await mkdtemp(join(tmpdir(), "warden-bench-edge-"));
    cleanup.push(() => rm(edgeDir, { recursive: true, force: true }));
    const webroot = join(edgeDir, "www");
    const http = await serveAcmeWebroot(webroot, pebble.httpPort);
    cleanup.push(() => http.close());
    const gateway = await startEdge(
      quietEdgeOptions(
        { thingName: reg.body.gateway.thing_name, tenant: t.tenantId, mqttUrl: iot.mqttUrl, stateDir: edgeDir },
        { certificates: { webroot, selfSignedName: "bench.warden.test" } },
      ),
    );
    cleanup.push(() => gateway.stop());
    await gateway.whenConnected();

    const wall: number[] = [];
    const outcome: string[] = [];
    for (let i = 0; i < renewals; i++) {
      const t0 = performance.now();
      const started = await call("POST", "/cloud-integration/security/certificates/renew", {
        token: t.token,
        body: { force: true },
      });
      if (!started.body.renewal_id) throw new Error(`renew: ${started.status} ${started.text}`);
      await runner.settled(started.body.renewal_id);
      wall.push(performance.now() - t0);
      const p = await call("GET", `/cloud-integration/security/certificates/renewals/${started.body.renewal_id}`, {
        token: t.token,
      });
      outcome.push(p.body.status);
    }
    return {
      renewals,
      wallMs: { p50: Math.round(pct(wall, 50)), max: Math.round(Math.max(...wall)) },
      dbCallsPerStep: Object.fromEntries([...perStep].map(([k, v]) => [k, pct(v, 50)])),
      outcome,
    };
  } finally {
    for (const c of cleanup.reverse()) await c().catch(() => undefined);
  }
}

if (process.argv.includes(CHILD_FLAG)) {
  measure(5)
    .then((r) => {
      process.stdout.write(`${JSON.stringify(r)}\n`);
      process.exit(0);
    })
    .catch((e) => {
      process.stderr.write(`${(e as Error).stack}\n`);
      process.exit(1);
    });
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  benchCertificates().then((r) => console.log(JSON.stringify(r, null, 2)));
}
