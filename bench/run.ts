/**
 * `npm run bench`: prints, for every function, its bundle size and the time to import the bundle
 * and answer one request in a fresh Node process (the local stand-in for a cold start), beside the
 * same for a lith of every route (bench/cold-start.ts); then warm
 * p50/p99 latency and DynamoDB calls per request for the hottest routes, against DynamoDB Local.
 * Figures are printed, never asserted: timing assertions flake on shared machines.
 */
import { randomUUID } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { useBenchEnvironment } from "./env.ts";
import { pct } from "./stats.ts";

const median = (xs: number[]) => pct(xs, 50);
const ms = (n: number) => `${n.toFixed(1)} ms`;

async function main() {
  const { env, stop } = await useBenchEnvironment("warden-bench", {
    // The bench uses API keys and a 100-gateway fleet: its tenants start on enterprise, not on free.
    WARDEN_SIGNUP_PLAN: "enterprise",
    // Per-tenant files (insights models, backups) go to a folder, as in local mode.
    BLOB_DIR: join(tmpdir(), `warden-bench-blobs-${randomUUID()}`),
  });
  try {
    const { call, freshIp, newTenant } = await import("#test/helpers/api.ts");
    const { dbCalls, resetDbCalls } = await import("#shared/table/client.ts");

    const tenant = await newTenant("bench");

    // ── Cold start: each function beside a lith of every route (bench/cold-start.ts) ─────────
    const coldStart = await import("./cold-start.ts");
    coldStart.printColdStart(await coldStart.benchColdStart({ call, freshIp, newTenant }, env));

    // ── Warm latency and DynamoDB calls per request ─────────────────────────────────────────
    type Answer = { status: number; headers?: Record<string, string> };
    // The tenant's per-minute rate limit is real here too: a 429 waits for the window to reset and
    // is not counted as a sample.
    const warm = async (label: string, n: number, fn: () => Promise<Answer>) => {
      await fn();
      const times: number[] = [];
      const calls: number[] = [];
      while (times.length < n) {
        resetDbCalls();
        const t = performance.now();
        const res = await fn();
        const elapsed = performance.now() - t;
        if (res.status === 429) {
          const reset = Number(res.headers?.["X-RateLimit-Reset"] ?? 0) * 1000;
          await new Promise((r) => setTimeout(r, Math.max(50, reset - Date.now() + 50)));
          continue;
        }
        if (res.status >= 400) throw new Error(`${label}: status ${res.status}`);
        times.push(elapsed);
        calls.push(dbCalls().total);
      }
      console.log(
        `${label.padEnd(44)} p50 ${ms(pct(times, 50)).padStart(9)}  p99 ${ms(pct(times, 99)).padStart(9)}  DynamoDB calls/request ${median(calls)} (max ${Math.max(...calls)})`,
      );
    };
    console.log("\nWarm, in-process against DynamoDB Local:");
    await warm("GET /api/v1/auth/me", 100, () => call("GET", "/api/v1/auth/me", { token: tenant.token }));
    // securenet's auth class allows 10 requests a minute per organization: spread over 10 of them.
    const orgs = await Promise.all(Array.from({ length: 10 }, (_, i) => newTenant(`bench-sn-${i}`)));
    let next = 0;
    await warm("GET /api/auth/me", 100, () => {
      next = (next + 1) % orgs.length;
      return call("GET", "/api/auth/me", { token: orgs[next]?.token });
    });
    await warm("POST /api/auth/login (scrypt N=2^15,r=8,p=3)", 30, () =>
      call("POST", "/api/auth/login", {
        body: { username: tenant.username, password: tenant.password },
        ip: freshIp(),
      }),
    );
    await warm("POST /api/v1/auth/token", 30, () =>
      call("POST", "/api/v1/auth/token", {
        body: { username: tenant.username, password: tenant.password },
        ip: freshIp(),
      }),
    );
    const extra = await import("./extra.ts");
    await extra.benchExtra({ call, freshIp, newTenant, warm, tenant });
    const { benchCertificates } = await import("./certificates.ts");
    console.log(`\nCertificate renewal (pebble, local runner): ${JSON.stringify(await benchCertificates())}`);
    const { benchGatewayScan } = await import("./gateway-scan.ts");
    console.log(`\nGateway security scan (full, deep; local runner): ${JSON.stringify(await benchGatewayScan())}`);
    const grc = await import("./grc.ts");
    await grc.benchGrc({ call, warm, newTenant });
    const billing = await import("./billing.ts");
    await billing.benchBilling({ call, newTenant, warm });
    await (await import("./audit.ts")).benchAudit();
    await (await import("./posture.ts")).benchPostureAll({ call, newTenant, freshIp });
    const { benchRealtime } = await import("./realtime.ts");
    console.log(
      `\nRealtime change → socket latency (local stream poller, @connections emulator): ${JSON.stringify(await benchRealtime({ call, newTenant }))}`,
    );
    const backupBench = await import("./backup.ts");
    backupBench.printBackup(await backupBench.benchBackup({ call, newTenant }));
    const { benchInsights } = await import("./insights.ts");
    console.log(
      `\nInsights (isolation forest, side by side with scikit-learn):\n  ${(await benchInsights()).join("\n  ")}`,
    );
  } finally {
    await stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
