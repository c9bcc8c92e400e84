/**
 * Gateway security scan benchmark: wall time of a full, deep scan on this machine, from POST /scan
 * to the finished execution (p50 and max of 3), for an organization with 1 gateway and one with 100,
 * each gateway reporting its posture (listening ports, rule counters) in its shadows. The state
 * machine is the synthesized definition run by the local runner; DynamoDB Local and the local IoT
 * Core answer the snapshot reads. Also the DynamoDB calls one scan makes.
 *
 * Runs in a fresh Node process (the shared code reads its environment once at import). Figures are
 * returned, never asserted. Run alone: `npx tsx bench/gateway-scan.ts`.
 */
import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { pct } from "./stats.ts";

const run = promisify(execFile);
const root = resolve(import.meta.dirname, "..");
const CHILD_FLAG = "--gateway-scan-bench-child";

export interface GatewayScanBenchResult {
  byFleet: Record<string, { wallMs: { p50: number; max: number }; dbCalls: number; issues: number | null }>;
}

export async function benchGatewayScan(): Promise<GatewayScanBenchResult> {
  const { stdout } = await run(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), CHILD_FLAG], {
    cwd: root,
    env: { ...process.env, WARDEN_LOG_LEVEL: "silent" },
    maxBuffer: 16 * 1024 * 1024,
    timeout: 900_000,
  });
  return JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}");
}

async function measure(fleets: number[], scans: number): Promise<GatewayScanBenchResult> {
  const cleanup: (() => Promise<unknown>)[] = [];
  try {
    const { useBenchEnvironment } = await import("./env.ts");
    const table = await useBenchEnvironment("warden-bench-gateway-scan");
    cleanup.push(() => table.stop());
    process.env.WARDEN_SIGNUP_PLAN ??= "enterprise";

    const { startLocalIot, usePlatformWithLocalIot } = await import("#infra/local/iot/index.ts");
    const iot = await startLocalIot();
    cleanup.push(() => iot.stop());
    await usePlatformWithLocalIot(iot);
    const { dbCalls } = await import("#shared/table/client.ts");
    const { createLocalRunner } = await import("#infra/local/workflows/runner-local.ts");
    const { useWorkflowRunner } = await import("#shared/workflows/engine.ts");
    const runner = createLocalRunner({ root });
    useWorkflowRunner(runner);
    const { call, newTenant } = await import("#test/helpers/api.ts");

    const byFleet: GatewayScanBenchResult["byFleet"] = {};
    for (const size of fleets) {
      const t = await newTenant(`bench-scan-${size}`);
      for (let i = 0; i < size; i++) {
        const reg = await call("POST", "/cloud-integration/security/gateways", {
          token: t.token,
          body: { name: `edge-${i}` },
        });
        const thing = reg.body.gateway.thing_name as string;
        for (const shadow of ["firewall", "ssh"]) {
          const got = iot.shadows.get(thing, shadow);
          const version = got.kind === "accepted" ? Number(got.document.state.desired?.config_version ?? 0) : 0;
          const now = new Date().toISOString();
          iot.shadows.update(thing, shadow, {
            state: {
              reported: {
                config_version: version,
                status: "applied",
                applied_at: now,
                updated_at: now,
                ...(shadow === "firewall" ? { listening: ["tcp:22", "tcp:443", "tcp:8081"], unused_rules: [] } : {}),
              },
            },
          });
        }
      }
      const wall: number[] = [];
      const calls: number[] = [];
      let issues: number | null = null;
      for (let i = 0; i < scans; i++) {
        const before = dbCalls().total;
        const t0 = performance.now();
        const started = await call("POST", "/cloud-integration/security/scan", {
          token: t.token,
          body: { scan_type: "full", depth: "deep" },
        });
        if (started.status !== 200) throw new Error(`scan start: ${started.status} ${started.text}`);
        await runner.settled(started.body.scan_id);
        wall.push(performance.now() - t0);
        calls.push(dbCalls().total - before);
        const r = await call("GET", "/cloud-integration/security/scan/results", {
          token: t.token,
          query: { scan_id: started.body.scan_id },
        });
        if (r.body.status !== "completed")
          throw new Error(`scan ${started.body.scan_id}: ${r.body.status} ${r.body.error}`);
        issues = r.body.total_issues;
      }
      byFleet[`${size} gateway${size === 1 ? "" : "s"}`] = {
        wallMs: { p50: Math.round(pct(wall, 50)), max: Math.round(Math.max(...wall)) },
        dbCalls: Math.round(pct(calls, 50)),
        issues,
      };
    }
    return { byFleet };
  } finally {
    for (const c of cleanup.reverse()) await c().catch(() => {});
  }
}

if (process.argv.includes(CHILD_FLAG)) {
  measure([1, 100], 3)
    .then((r) => {
      console.log(JSON.stringify(r));
      process.exit(0);
    })
    .catch((e) => {
      console.error(e);
      process.exit(1);
    });
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  benchGatewayScan().then((r) => console.log(JSON.stringify(r, null, 2)));
}
