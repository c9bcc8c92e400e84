/**
 * Insights benchmark: the isolation forest's fit time on 100,000 rows x 4 features, next to
 * scikit-learn's on the same rows in the same run (when Debian's /usr/bin/python3 can import
 * sklearn), the size of a stored model (100 trees x 256 samples), and predict latency for a
 * 1,000-row batch. Figures are returned, never asserted: timing assertions flake on shared
 * machines. Not part of the test suite.
 *
 * Run alone: `npx tsx bench/insights.ts` (add `--ingest` for the ingest → anomaly → socket path).
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { IsolationForest } from "../shared/insights/isolation-forest.ts";
import { predictRows } from "../shared/insights/predictions.ts";
import { createRandom } from "../shared/insights/random.ts";
import { pct } from "./stats.ts";

const run = promisify(execFile);
const PYTHON = "/usr/bin/python3";
const ROWS = 100_000;
const FEATURES = 4;
const FIT_REPEATS = 5;
const PREDICT_ROWS = 1_000;
const PREDICT_CALLS = 300;

const ms = (n: number) => `${n.toFixed(1)} ms`;

/** Gateway-like metrics (cpu %, memory %, connections, failed logins) with 1% incidents. */
function gatewayRows(n: number, seed: number): number[][] {
  const random = createRandom(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
  return Array.from({ length: n }, () => {
    const incident = random.next() < 0.01;
    const cpu = incident ? 85 + 15 * random.next() : 35 + 8 * normal();
    return [
      cpu,
      40 + 0.4 * cpu + 5 * normal(),
      120 + 20 * normal(),
      incident ? 20 + random.below(40) : random.below(2),
    ];
  });
}

function median(xs: number[]): number {
  return pct(xs, 50);
}

function timeFits(rows: number[][], contamination: "auto" | number): number[] {
  return Array.from({ length: FIT_REPEATS }, () => {
    const started = performance.now();
    new IsolationForest({ contamination, seed: 1 }).fit(rows);
    return performance.now() - started;
  });
}

/** scikit-learn's fit times (ms) on the same rows, or why they could not be measured. */
async function sklearnFitTimes(rows: number[][]): Promise<{ auto: number[]; contaminated: number[] } | string> {
  try {
    await run(PYTHON, ["-c", "import sklearn"]);
  } catch {
    return `${PYTHON} cannot import sklearn (apt-get install -y python3-sklearn)`;
  }
  const dir = await mkdtemp(join(tmpdir(), "warden-insights-bench-"));
  try {
    const file = join(dir, "rows.f64");
    const flat = Float64Array.from(rows.flat());
    await writeFile(file, Buffer.from(flat.buffer));
    const script = [
      "import json, sys, time",
      "import numpy as np",
      "from sklearn.ensemble import IsolationForest",
      `X = np.fromfile(sys.argv[1], dtype='<f8').reshape(-1, ${FEATURES})`,
      "def fit(c):",
      "    t = time.perf_counter()",
      "    IsolationForest(contamination=c, random_state=1).fit(X)",
      "    return (time.perf_counter() - t) * 1000",
      `print(json.dumps({'auto': [fit('auto') for _ in range(${FIT_REPEATS})], 'contaminated': [fit(0.05) for _ in range(${FIT_REPEATS})]}))`,
    ].join("\n");
    const { stdout } = await run(PYTHON, ["-c", script, file], { timeout: 600_000 });
    const parsed: unknown = JSON.parse(stdout);
    if (
      typeof parsed === "object" &&
      parsed !== null &&
      "auto" in parsed &&
      "contaminated" in parsed &&
      Array.isArray(parsed.auto) &&
      Array.isArray(parsed.contaminated)
    ) {
      return { auto: parsed.auto.map(Number), contaminated: parsed.contaminated.map(Number) };
    }
    return `unexpected output from ${PYTHON}: ${stdout.slice(0, 200)}`;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function benchInsights(): Promise<string[]> {
  const lines: string[] = [];
  const rows = gatewayRows(ROWS, 7);

  // The first fit also compiles the hot loops; it is reported apart from the warm median.
  const firstStarted = performance.now();
  const model = new IsolationForest({ contamination: 0.05, seed: 1 }).fit(rows);
  const firstFit = performance.now() - firstStarted;
  const oursAuto = timeFits(rows, "auto");
  const oursContaminated = timeFits(rows, 0.05);
  lines.push(
    `isolation forest fit, ${ROWS.toLocaleString("en")} x ${FEATURES}, 100 trees x 256 samples (ours, median of ${FIT_REPEATS}): ` +
      `contamination "auto" ${ms(median(oursAuto))}; contamination 0.05 (scores every training row for offset) ` +
      `${ms(median(oursContaminated))}; first fit in the process ${ms(firstFit)}`,
  );

  const sklearn = await sklearnFitTimes(rows);
  if (typeof sklearn === "string") {
    lines.push(`scikit-learn fit: not measured: ${sklearn}`);
  } else {
    const autoRatio = median(sklearn.auto) / median(oursAuto);
    const contaminatedRatio = median(sklearn.contaminated) / median(oursContaminated);
    lines.push(
      `scikit-learn fit, same rows, same run (median of ${FIT_REPEATS}): contamination "auto" ${ms(median(sklearn.auto))} ` +
        `(${autoRatio.toFixed(1)}x ours); contamination 0.05 ${ms(median(sklearn.contaminated))} (${contaminatedRatio.toFixed(1)}x ours)`,
    );
  }

  const stored = JSON.stringify(model);
  lines.push(
    `stored model (100 trees x 256 samples, ${model.toJSON().forest.trees} trees): ${(stored.length / 1024).toFixed(1)} KB of JSON`,
  );

  const batch = rows.slice(0, PREDICT_ROWS);
  for (let i = 0; i < 20; i++) model.predict(batch); // warm-up
  const times: number[] = [];
  for (let i = 0; i < PREDICT_CALLS; i++) {
    const started = performance.now();
    model.predict(batch);
    times.push(performance.now() - started);
  }
  lines.push(
    `predict ${PREDICT_ROWS.toLocaleString("en")} rows (${PREDICT_CALLS} calls): p50 ${ms(pct(times, 50))}, p99 ${ms(pct(times, 99))}`,
  );

  // What POST /models/{id}/predict computes for a full batch: labels, scores, confidence and each
  // row's contributing features (per-feature path statistics), i.e. predictRows.
  const features = ["cpu_usage", "memory_usage", "network_connections", "failed_logins"];
  for (let i = 0; i < 5; i++) predictRows(model, features, batch); // warm-up
  const routeTimes: number[] = [];
  for (let i = 0; i < PREDICT_CALLS; i++) {
    const started = performance.now();
    predictRows(model, features, batch);
    routeTimes.push(performance.now() - started);
  }
  lines.push(
    `predict route's computation, ${PREDICT_ROWS.toLocaleString("en")} rows with confidence and features_contributing (${PREDICT_CALLS} calls): ` +
      `p50 ${ms(pct(routeTimes, 50))}, p99 ${ms(pct(routeTimes, 99))}`,
  );
  return lines;
}

/**
 * `--ingest`: also issue 14's path ingest → anomaly → /ws/logs (bench/realtime.ts, as `npm run
 * bench` runs it), with DynamoDB Local, the local stream poller and a local WebSocket server.
 */
async function benchIngestPath(): Promise<string[]> {
  const { useBenchEnvironment } = await import("./env.ts");
  const { randomUUID } = await import("node:crypto");
  const { stop } = await useBenchEnvironment("warden-bench-insights", {
    WARDEN_SIGNUP_PLAN: "enterprise",
    BLOB_DIR: join(tmpdir(), `warden-bench-blobs-${randomUUID()}`),
  });
  try {
    const { call, newTenant } = await import("#test/helpers/api.ts");
    const { benchRealtime } = await import("./realtime.ts");
    const r = await benchRealtime({ call, newTenant, samples: 30 });
    return [
      `ingest of an anomalous metrics sample (store + score + anomaly + audit), n=${r.anomalyIngest.n}: p50 ${ms(r.anomalyIngest.p50Ms)}, p99 ${ms(r.anomalyIngest.p99Ms)}`,
      `ingest start → anomaly_detected frame on /ws/logs, n=${r.ingestAnomalyToSocket.n}: p50 ${ms(r.ingestAnomalyToSocket.p50Ms)}, p99 ${ms(r.ingestAnomalyToSocket.p99Ms)}`,
    ];
  } finally {
    await stop();
  }
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  (async () => [
    ...(await benchInsights()),
    ...(process.argv.includes("--ingest") ? await benchIngestPath() : []),
  ])().then(
    (lines) => {
      for (const line of lines) console.log(line);
    },
    (e) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
