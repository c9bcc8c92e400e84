/**
 * Cold start, side by side: for every HTTP route, a fresh Node process imports the route's own
 * bundle and answers one request (the local stand-in for a Lambda init + first invoke), and a fresh
 * process does the same with a "lambda-lith" (one bundle of every route, infra/build.ts
 * `buildLith`). The figure is their ratio: what one function per route saves at a cold start.
 *
 * Each route is measured `runs` times for both bundles, interleaved (function, lith, function, …)
 * so a burst of load on the shared machine hits both alike; the median of the runs is printed.
 * Wall time is what a caller waits; CPU time (user + system of the child) is printed beside it
 * because a shared machine disturbs it less.
 *
 * The request is the route's key with every path parameter "1" and no body, signed by an admin of a
 * tenant of its own (one per route, so per-tenant rate limits never answer instead of the route):
 * most GETs answer 200, routes naming an object 404, mutations 400. That is a real first answer
 * (authentication, session and tenant reads, validation, the handler's first DynamoDB call), not
 * each route's heaviest one.
 *
 * Standalone: `npx tsx bench/cold-start.ts` (starts DynamoDB Local itself). Environment:
 * WARDEN_BENCH_COLD_RUNS (default 3), WARDEN_BENCH_COLD_ROUTES (every n-th route only, default 1),
 * WARDEN_BENCH_COLD_ONLY (a regular expression: only the functions whose id matches),
 * WARDEN_BENCH_COLD_PROFILE (a directory: each fresh process writes its `node --cpu-prof` profile there),
 * WARDEN_BENCH_COLD_SDK=external (bundles that load the AWS SDK from node_modules: the figure before it was bundled).
 */
import { execFile } from "node:child_process";
import { createPublicKey, randomUUID } from "node:crypto";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { pct } from "./stats.ts";

const run = promisify(execFile);
const root = resolve(import.meta.dirname, "..");

const median = (xs: number[]) => pct(xs, 50);
const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
const ms = (n: number) => `${n.toFixed(0)} ms`;

/** Targets (issue 16): a function's cold start at most a quarter of the lith's, and ≤ 60 ms here. */
export const COLD_START_TARGETS = { medianRatio: 0.25, medianFunctionMs: 60 } as const;

interface Child {
  importMs: number;
  firstAnswerMs: number;
  totalMs: number;
  cpuMs: number;
  status: number;
}

export interface ColdStartRow {
  id: string;
  route: string;
  bytes: number;
  fn: { totalMs: number; cpuMs: number; importMs: number; status: number };
  lith: { totalMs: number; cpuMs: number; status: number };
  ratio: number;
}

export interface ColdStartSummary {
  functions: number;
  sdk: "bundled" | "external";
  runs: number;
  medianBundleBytes: number;
  maxBundle: { id: string; bytes: number };
  lithBytes: number;
  medianFunctionMs: number;
  medianFunctionCpuMs: number;
  medianLithMs: number;
  medianLithCpuMs: number;
  medianRatio: number;
  medianCpuRatio: number;
  baselineMs: number;
}

type Api = {
  call: (method: string, path: string, opts?: Record<string, unknown>) => Promise<{ status: number; body: any }>;
  freshIp: () => string;
  newTenant: (label?: string) => Promise<{ token: string; username: string; password: string }>;
};

/** WARDEN_BENCH_COLD_PROFILE=<dir>: every child writes a V8 CPU profile there (`node --cpu-prof`). */
const profile = (bundle: string): string[] => {
  const dir = process.env.WARDEN_BENCH_COLD_PROFILE;
  if (!dir) return [];
  const name = `${bundle.split(/[\\/]/).at(-2)}-${Date.now()}.cpuprofile`;
  return ["--cpu-prof", "--cpu-prof-interval=100", `--cpu-prof-dir=${resolve(dir)}`, `--cpu-prof-name=${name}`];
};

async function child(bundle: string, event: unknown, env: NodeJS.ProcessEnv): Promise<Child> {
  const { stdout } = await run(
    process.execPath,
    [...profile(bundle), join(root, "bench/cold-start-child.mjs"), JSON.stringify({ bundle, event })],
    { env, cwd: root },
  );
  return JSON.parse(stdout) as Child;
}

function medianOf(children: Child[]) {
  return {
    totalMs: median(children.map((c) => c.totalMs)),
    cpuMs: median(children.map((c) => c.cpuMs)),
    importMs: median(children.map((c) => c.importMs)),
    // The runs answer alike (the bench checks); the first run's status stands for all.
    status: children[0]?.status ?? 0,
  };
}

/** `WARDEN_JWT_PUBLIC_KEY` as a deployment ships it (SPKI PEM), from the local signing key, if there is one. */
function shippedPublicKey(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const pem = env.WARDEN_JWT_PRIVATE_KEY;
  if (!pem) return {};
  return { WARDEN_JWT_PUBLIC_KEY: createPublicKey(pem).export({ type: "spki", format: "pem" }).toString() };
}

export async function benchColdStart(
  api: Api,
  env: NodeJS.ProcessEnv,
  options: { runs?: number; every?: number; sdk?: "bundled" | "external" } = {},
): Promise<{ rows: ColdStartRow[]; summary: ColdStartSummary }> {
  const runs = options.runs ?? Number(process.env.WARDEN_BENCH_COLD_RUNS ?? 3);
  const every = options.every ?? Number(process.env.WARDEN_BENCH_COLD_ROUTES ?? 1);
  const { routes } = await import("#infra/routes.ts");
  const { functionId } = await import("#shared/kit/route.ts");
  const { allEntries, buildFunctions, buildLith } = await import("#infra/build.ts");
  const { FUNCTION_NODE_OPTIONS } = await import("#infra/function-runtime.ts");

  // Built as a deploy builds them: the SDK pre-bundled beside each function (and the lith). With
  // WARDEN_BENCH_COLD_SDK=external the bundles leave @aws-sdk/* to node_modules instead (the
  // runtime's SDK, loaded file by file): the figure before the SDK was bundled, for comparison.
  const sdk = options.sdk ?? (process.env.WARDEN_BENCH_COLD_SDK === "external" ? "external" : "bundled");
  const outdir = join(root, "dist", "bench-functions");
  const entries = allEntries();
  const only = process.env.WARDEN_BENCH_COLD_ONLY ? new RegExp(process.env.WARDEN_BENCH_COLD_ONLY) : undefined;
  const http = routes
    .filter((r) => r.method !== "WEBSOCKET")
    .filter((_, i) => i % every === 0)
    .filter((r) => !only || only.test(functionId(r.handler)));
  const measured = new Set(http.map((r) => functionId(r.handler)));
  // Only the functions measured are built (a full build is minutes here); the lith holds every route.
  const built = await buildFunctions({ outdir, entries: entries.filter((e) => measured.has(e.functionId)), sdk });
  const lith = await buildLith({ outdir: join(root, "dist", "bench-lith"), entries, sdk });
  const byId = new Map(built.map((b) => [b.functionId, b]));
  // As in Lambda, which always sets AWS_LAMBDA_RUNTIME_API: the request scope then takes the
  // one-request slot instead of AsyncLocalStorage (shared/table/request-scope.ts). Nothing is called on it.
  // And with the Node options the functions are deployed with, not whatever this shell has.
  const childEnv = {
    ...process.env,
    ...env,
    AWS_LAMBDA_RUNTIME_API: "127.0.0.1:9001",
    NODE_OPTIONS: FUNCTION_NODE_OPTIONS,
    // As deployed, verifiers read the signing key's public half from their configuration
    // (shared/auth/signer.ts): the same here, derived from the local signing key.
    ...shippedPublicKey({ ...process.env, ...env }),
  };

  // What a fresh Node process costs before any bundle: subtracted from nothing, printed for scale.
  const baseline: number[] = [];
  for (let i = 0; i < runs; i++) {
    const { stdout } = await run(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        "const t=performance.now();await import('node:crypto');process.stdout.write(String(performance.now()-t))",
      ],
      { env: childEnv },
    );
    baseline.push(Number(stdout));
  }

  const rows: ColdStartRow[] = [];
  for (const r of http) {
    const id = functionId(r.handler);
    const b = byId.get(id);
    if (!b) continue;
    const tenant = await api.newTenant(`cold-${id}`.slice(0, 30));
    // Signing out revokes the token it is sent with: each answer of such a route gets a session of its own.
    const endsSession = /\/logout$/.test(r.path);
    const tokenFor = async () => {
      if (!endsSession) return tenant.token;
      const res = await api.call("POST", "/api/auth/login", {
        body: { username: tenant.username, password: tenant.password },
        ip: api.freshIp(),
      });
      if (res.status !== 200) throw new Error(`cold-start bench: login for ${r.path} answered ${res.status}`);
      return res.body.data.token as string;
    };
    const event = async () => ({
      version: "2.0",
      routeKey: `${r.method} ${r.path}`,
      rawPath: r.path.replace(/\{[^}]+\}/g, "1"),
      rawQueryString: "",
      headers: { "content-type": "application/json", authorization: `Bearer ${await tokenFor()}` },
      pathParameters: Object.fromEntries([...r.path.matchAll(/\{(\w+)\}/g)].map((m) => [m[1], "1"])),
      requestContext: {
        http: { method: r.method, path: r.path, sourceIp: api.freshIp(), userAgent: "bench" },
        requestId: randomUUID(),
        timeEpoch: Date.now(),
      },
      isBase64Encoded: false,
    });
    const fnRuns: Child[] = [];
    const lithRuns: Child[] = [];
    for (let i = 0; i < runs; i++) {
      fnRuns.push(await child(b.outfile, await event(), childEnv));
      lithRuns.push(await child(lith.outfile, await event(), childEnv));
    }
    const statuses = new Set([...fnRuns, ...lithRuns].map((c) => c.status));
    if (statuses.size > 1) {
      throw new Error(`cold-start bench: ${r.method} ${r.path} answered ${[...statuses].join(" and ")}`);
    }
    const fn = medianOf(fnRuns);
    const li = medianOf(lithRuns);
    rows.push({
      id,
      route: `${r.method} ${r.path}`,
      bytes: b.bytes,
      fn,
      lith: { totalMs: li.totalMs, cpuMs: li.cpuMs, status: li.status },
      ratio: fn.totalMs / li.totalMs,
    });
  }

  const largest = built.reduce((a, x) => (x.bytes > a.bytes ? x : a));
  const summary: ColdStartSummary = {
    functions: rows.length,
    sdk,
    runs,
    medianBundleBytes: median(built.map((x) => x.bytes)),
    maxBundle: { id: largest.functionId, bytes: largest.bytes },
    lithBytes: lith.bytes,
    medianFunctionMs: median(rows.map((x) => x.fn.totalMs)),
    medianFunctionCpuMs: median(rows.map((x) => x.fn.cpuMs)),
    medianLithMs: median(rows.map((x) => x.lith.totalMs)),
    medianLithCpuMs: median(rows.map((x) => x.lith.cpuMs)),
    medianRatio: median(rows.map((x) => x.ratio)),
    medianCpuRatio: median(rows.map((x) => x.fn.cpuMs / x.lith.cpuMs)),
    baselineMs: median(baseline),
  };
  return { rows, summary };
}

export function printColdStart({ rows, summary: s }: { rows: ColdStartRow[]; summary: ColdStartSummary }): void {
  console.log(
    `\nCold start: fresh Node process, import + first answer, median of ${s.runs} runs each, function beside the lith` +
      "\n(wall ms; CPU ms in brackets; the machine is shared, so wall times carry other people's load):",
  );
  console.log(
    `${"function".padEnd(46)} ${"bundle".padStart(11)} ${"import".padStart(7)} ${"function".padStart(16)} ${"lith".padStart(16)} ${"ratio".padStart(6)}  status`,
  );
  for (const r of rows) {
    const fn = `${ms(r.fn.totalMs)} [${ms(r.fn.cpuMs)}]`;
    const li = `${ms(r.lith.totalMs)} [${ms(r.lith.cpuMs)}]`;
    console.log(
      `${r.id.padEnd(46)} ${kb(r.bytes).padStart(11)} ${ms(r.fn.importMs).padStart(7)} ${fn.padStart(16)} ${li.padStart(16)} ${r.ratio.toFixed(2).padStart(6)}  ${r.fn.status}`,
    );
  }
  const t = COLD_START_TARGETS;
  console.log(
    `\nfunctions: ${s.functions} (AWS SDK ${s.sdk === "bundled" ? "pre-bundled beside each function and the lith" : "from node_modules"}); bundles: median ${kb(s.medianBundleBytes)}, largest ${s.maxBundle.id} ${kb(s.maxBundle.bytes)}; lith ${kb(s.lithBytes)}` +
      `\nfresh node process (import node:crypto only): ${ms(s.baselineMs)}` +
      `\nmedian function import+first answer ${ms(s.medianFunctionMs)} [CPU ${ms(s.medianFunctionCpuMs)}] (target ≤ ${t.medianFunctionMs} ms)` +
      `\nmedian lith import+first answer ${ms(s.medianLithMs)} [CPU ${ms(s.medianLithCpuMs)}]` +
      `\nmedian ratio function/lith ${s.medianRatio.toFixed(2)} [CPU ${s.medianCpuRatio.toFixed(2)}] (target ≤ ${t.medianRatio})`,
  );
}

const runAsScript = process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(import.meta.filename);
if (runAsScript) {
  const { useBenchEnvironment } = await import("./env.ts");
  const { env, stop } = await useBenchEnvironment("warden-bench", { WARDEN_SIGNUP_PLAN: "enterprise" });
  try {
    const api = (await import("#test/helpers/api.ts")) as unknown as Api;
    printColdStart(await benchColdStart(api, env));
  } finally {
    await stop();
  }
}
