/**
 * `npm run bench`: prints, for every function, its bundle size and the time to import the bundle
 * and answer one request in a fresh Node process (the local stand-in for a cold start); then warm
 * p50/p99 latency and DynamoDB calls per request for the hottest routes, against DynamoDB Local.
 * Figures are printed, never asserted: timing assertions flake on shared machines.
 */
import { execFile } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { ensureTable, startDynamoDbLocal } from "#infra/local/dynamodb-local.ts";
import { generateJwtKeyPem } from "#infra/local/keys.ts";
import { pct } from "./stats.ts";

const run = promisify(execFile);
const root = resolve(import.meta.dirname, "..");

const median = (xs: number[]) => pct(xs, 50);
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const ms = (n: number) => `${n.toFixed(1)} ms`;

async function main() {
  const dynamo = await startDynamoDbLocal();
  const tableName = "warden-bench";
  await ensureTable(dynamo.endpoint, tableName);
  const env = {
    DYNAMODB_ENDPOINT: dynamo.endpoint,
    TABLE_NAME: tableName,
    WARDEN_JWT_PRIVATE_KEY: generateJwtKeyPem(),
    WARDEN_DATA_KEY: randomBytes(32).toString("base64"),
    WARDEN_LOG_LEVEL: "silent",
    AWS_REGION: "us-east-1",
    // The bench uses API keys and a 100-gateway fleet: its tenants start on enterprise, not on free.
    WARDEN_SIGNUP_PLAN: "enterprise",
    // Per-tenant files (insights models, backups) go to a folder, as in local mode.
    BLOB_DIR: join(tmpdir(), `warden-bench-blobs-${randomUUID()}`),
  };
  Object.assign(process.env, env);
  try {
    const { call, freshIp, newTenant } = await import("#test/helpers/api.ts");
    const { dbCalls, resetDbCalls } = await import("#shared/table/client.ts");
    const { routes } = await import("#infra/routes.ts");
    const { functionId } = await import("#shared/kit/route.ts");
    const { buildFunctions } = await import("#infra/build.ts");

    const tenant = await newTenant("bench");
    // The fresh-process runs answer every route once with this token, logout included (which revokes it).
    const cold = await newTenant("bench-cold");

    // ── Bundles and fresh-process first answers ─────────────────────────────────────────────
    // Inside the repository: the bundles leave @aws-sdk/* to the runtime, which node_modules stands in for here.
    const outdir = join(root, "dist", "bench-functions");
    const built = await buildFunctions({ outdir });
    const byId = new Map(built.map((b: { functionId: string; outfile: string; bytes: number }) => [b.functionId, b]));
    const rows: {
      id: string;
      route: string;
      bytes: number;
      importMs: number;
      firstAnswerMs: number;
      status: number;
    }[] = [];
    for (const r of routes.filter((x) => x.method !== "WEBSOCKET")) {
      const id = functionId(r.handler);
      const b = byId.get(id);
      if (!b) continue;
      const event = {
        version: "2.0",
        routeKey: `${r.method} ${r.path}`,
        rawPath: r.path.replace(/\{[^}]+\}/g, "1"),
        rawQueryString: "",
        headers: { "content-type": "application/json", authorization: `Bearer ${cold.token}` },
        pathParameters: Object.fromEntries([...r.path.matchAll(/\{(\w+)\}/g)].map((m) => [m[1], "1"])),
        requestContext: {
          http: { method: r.method, path: r.path, sourceIp: freshIp(), userAgent: "bench" },
          requestId: randomUUID(),
          timeEpoch: Date.now(),
        },
        isBase64Encoded: false,
      };
      const { stdout } = await run(
        process.execPath,
        [join(root, "bench/cold-start-child.mjs"), JSON.stringify({ bundle: b.outfile, event })],
        {
          env: { ...process.env, ...env },
          cwd: root,
        },
      );
      const t = JSON.parse(stdout) as { importMs: number; firstAnswerMs: number; status: number };
      rows.push({
        id,
        route: `${r.method} ${r.path}`,
        bytes: b.bytes,
        importMs: t.importMs,
        firstAnswerMs: t.firstAnswerMs,
        status: t.status,
      });
    }
    console.log("\nFunction bundles (minified, AWS SDK left to the runtime) and fresh-process import + first answer:");
    console.log(
      `${"function".padEnd(44)} ${"bundle".padStart(10)} ${"import".padStart(10)} ${"1st answer".padStart(11)}  status`,
    );
    for (const r of rows) {
      console.log(
        `${r.id.padEnd(44)} ${kb(r.bytes).padStart(10)} ${ms(r.importMs).padStart(10)} ${ms(r.firstAnswerMs).padStart(11)}  ${r.status}`,
      );
    }
    const totals = rows.map((r) => r.importMs + r.firstAnswerMs);
    console.log(
      `\nfunctions: ${rows.length}; median bundle ${kb(median(rows.map((r) => r.bytes)))} (target ≤ 100 KB); ` +
        `max ${kb(Math.max(...rows.map((r) => r.bytes)))}; median import+first answer ${ms(median(totals))} (target ≤ 150 ms)`,
    );

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
    const { benchInsights } = await import("./insights.ts");
    console.log(
      `\nInsights (isolation forest, side by side with scikit-learn):\n  ${(await benchInsights()).join("\n  ")}`,
    );
  } finally {
    await dynamo.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
