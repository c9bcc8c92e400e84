/**
 * Cloudsentinel objects of a security-matrix world: a completed demo scan and its alerts. Scans run
 * through the real cloud-scan state machine, so the local runner is put in place first (the
 * matrices otherwise have none, and a scan start would answer 503).
 */
import { resolve } from "node:path";
import type { World } from "./world.ts";

let runner: Promise<{ settled(name: string): Promise<unknown> }> | undefined;

/** Installs the local workflow runner once for this test process. */
export function scanRunner() {
  runner ??= (async () => {
    const [{ createLocalRunner }, { useWorkflowRunner }] = await Promise.all([
      import("#infra/local/workflows/runner-local.ts"),
      import("#shared/workflows/engine.ts"),
    ]);
    const r = createLocalRunner({ root: resolve(import.meta.dirname, "../..") });
    useWorkflowRunner(r);
    return r;
  })();
  return runner;
}

/** A small demo scan's body: S3 in one region (what the matrices start, many times over). */
export const DEMO_SCAN = {
  cloud_provider: "aws",
  credentials: { demo: true },
  scan_config: { services: ["s3"], regions: ["us-east-1"] },
} as const;

const scans = new WeakMap<World, Promise<{ scanId: string; alertId: number }>>();

/** The world's completed demo scan and one of the alerts it opened (made once per world). */
export function stableScan(w: World): Promise<{ scanId: string; alertId: number }> {
  let got = scans.get(w);
  if (!got) {
    got = (async () => {
      const r = await scanRunner();
      const res = await w.make("POST", "/api/v1/scan/start", { body: DEMO_SCAN });
      if (res.status !== 200) throw new Error(`demo scan: ${res.status} ${res.text}`);
      await r.settled(res.body.scan_id);
      const alerts = await w.make("GET", "/api/v1/alerts/", { query: { limit: "1" } });
      const alertId = alerts.body.items[0]?.id;
      if (typeof alertId !== "number") throw new Error("the demo scan opened no alert");
      return { scanId: res.body.scan_id as string, alertId };
    })();
    scans.set(w, got);
  }
  return got;
}

/**
 * Scans the demo account (`"fixed"`: the same account with its planted misconfigurations fixed)
 * through the routes on the real state machine, waits for it, and returns its id once completed.
 */
export async function completedDemoScan(token: string, demo: true | "fixed"): Promise<string> {
  const r = await scanRunner();
  const { call, freshIp } = await import("./api.ts");
  const res = await call("POST", "/api/v1/scan/start", {
    token,
    ip: freshIp(),
    body: { cloud_provider: "aws", credentials: { demo }, scan_config: { regions: ["us-east-1"] } },
  });
  if (res.status !== 200) throw new Error(`scan start answered ${res.status}: ${res.text}`);
  await r.settled(res.body.scan_id);
  const status = await call("GET", `/api/v1/scan/status/${res.body.scan_id}`, { token });
  if (status.body.status !== "completed") throw new Error(`demo scan ended ${status.body.status}: ${status.text}`);
  return res.body.scan_id as string;
}
