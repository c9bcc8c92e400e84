/**
 * The gateway security scan over the whole platform in one process tree: DynamoDB Local (global
 * setup), the local IoT Core (MQTT broker, shadow service, HTTP data plane), the local workflow
 * runner (the synthesized `gateway-scan` and `fleet-sync` definitions) and one gateway running the
 * real edge handler in a sandbox directory.
 *
 * On that gateway: a real TCP server listens on a port no firewall rule allows (the edge reads it
 * from /proc/net/tcp*, as on a device), and a 1024-bit RSA key is dropped into an authorized_keys
 * file by hand. A full scan through the API must name both. Then the applied nftables file is
 * edited by hand: the edge reports the drift and the next scan's firewall component names the
 * gateway. Every wait is on a shadow publication or an execution's end, never a sleep.
 */
import { execFile } from "node:child_process";
import { appendFile, mkdir, readFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalIot, usePlatformWithLocalIot } from "#infra/local/iot/index.ts";

const iot = await startLocalIot();
// The shared code reads its environment once: point it at the local IoT Core before importing it.
await usePlatformWithLocalIot(iot);
const { createLocalRunner } = await import("#infra/local/workflows/runner-local.ts");
const { useWorkflowRunner } = await import("#shared/workflows/engine.ts");
const runner = createLocalRunner({ root: resolve(import.meta.dirname, "../..") });
useWorkflowRunner(runner);
const { call, newTenant } = await import("#test/helpers/api.ts");
const { shadowReport, startGatewayEdge } = await import("#test/helpers/edge.ts");

const run = promisify(execFile);
const S = "/cloud-integration/security";

let tenant: Awaited<ReturnType<typeof newTenant>>;
let gateway: Awaited<ReturnType<typeof startGatewayEdge>>;
let server: Server;
let port: number;

/** The gateway's report on a shadow that satisfies `ok`: the one the shadow holds, or the next accepted one. */
const reported = (shadow: string, ok: Parameters<typeof shadowReport>[3], what: string, timeoutMs = 30_000) =>
  shadowReport(iot.shadows, gateway.thing, shadow, ok, what, timeoutMs);

/**
 * A real listening socket on every address. Run as root (CI, the dev container) it takes a free
 * port under 1024, so it sorts among the first of the gateway's (capped) listening list whatever
 * else the host runs; otherwise any free port.
 */
async function listenSomewhere(): Promise<{ server: Server; port: number }> {
  const attempt = (p: number) =>
    new Promise<Server>((resolvePromise, reject) => {
      const s = createServer((socket) => socket.end());
      s.once("error", reject);
      s.listen(p, "0.0.0.0", () => resolvePromise(s));
    });
  const start = 700 + Math.floor(Math.random() * 200);
  for (let p = start; p < start + 50; p++) {
    const s = await attempt(p).catch(() => null);
    if (s) return { server: s, port: p };
  }
  const s = await attempt(0);
  return { server: s, port: (s.address() as { port: number }).port };
}

/** Starts a full scan through the API, waits for its execution to end, answers its results. */
async function fullScan() {
  const res = await call("POST", `${S}/scan`, { token: tenant.token, body: { scan_type: "full" } });
  expect(res.status, res.text).toBe(200);
  await runner.settled(res.body.scan_id);
  const progress = await call("GET", res.body.progress_url, { token: tenant.token });
  expect(progress.status).toBe(200);
  expect(progress.body).toMatchObject({ status: "completed", progress: 100, components_remaining: [] });
  const results = await call("GET", `${S}/scan/results`, { token: tenant.token, query: { scan_id: res.body.scan_id } });
  expect(results.status).toBe(200);
  const check = (component: string, id: string) => {
    const found = results.body.results[component]?.checks.find((c: { check: string }) => c.check === id);
    if (!found) throw new Error(`no ${component}/${id} check in ${results.text}`);
    return found as { status: string; details: string; severity: string };
  };
  return { body: results.body, check };
}

beforeAll(async () => {
  tenant = await newTenant("e2e-scan");
  gateway = await startGatewayEdge(iot, tenant, "Scan edge", { timeoutMs: 30_000 });
  ({ server, port } = await listenSomewhere());
}, 120_000);

afterAll(async () => {
  await gateway?.stop();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  await iot.stop();
});

// A full deep scan, the edge's posture report and an ssh-keygen run: minutes on a loaded machine, not 30 s.
describe("a full scan over a gateway running the real edge", { timeout: 180_000 }, () => {
  it("names the port listening without a firewall rule and the weak key found on the device", async () => {
    // A 1024-bit RSA key slipped into an authorized_keys file on the gateway, outside Warden.
    const keyFile = join(gateway.dir, "weak-key");
    await run("ssh-keygen", ["-q", "-t", "rsa", "-b", "1024", "-N", "", "-C", "contractor", "-f", keyFile]);
    const keysDir = join(gateway.dir, "etc", "ssh", "authorized_keys");
    await mkdir(keysDir, { recursive: true });
    await appendFile(join(keysDir, "deploy"), await readFile(`${keyFile}.pub`, "utf8"));
    // The posture report waits for any apply still queued on the edge; on a loaded machine (CI ran
    // it at load ~5 with 30 s not enough once) that takes longer than a quiet run's second.
    const seen = Promise.all([
      reported("firewall", (r) => r.listening?.includes(`tcp:${port}`) ?? false, `tcp:${port} reported`, 90_000),
      reported("ssh", (r) => r.weak_keys?.includes("RSA-1024 deploy") ?? false, "weak key reported", 90_000),
    ]);
    await gateway.edge.refreshPosture();
    await seen;

    const { body, check } = await fullScan();

    expect(body.status).toBe("completed");
    const ports = check("network", "open_ports");
    // The spec's default policy is ACCEPT: a port no rule mentions is reachable from the network.
    expect(ports).toMatchObject({ status: "fail", severity: "high" });
    expect(ports.details).toContain(`${gateway.name}: `);
    expect(ports.details).toContain(`tcp:${port}`);
    const keys = check("ssh", "key_strength");
    expect(keys.status).toBe("warning");
    expect(keys.details).toContain(`RSA-1024 deploy on ${gateway.name}`);
    expect(body.results.network.issues).toBeGreaterThanOrEqual(1);
    expect(body.results.ssh.issues).toBeGreaterThanOrEqual(1);
    // The firewall file is as Warden applied it: no firewall drift yet.
    expect(check("firewall", "config_drift").details).not.toContain("firewall:");
  });

  it("reports the gateway as drifted in the next scan once its applied ruleset is edited by hand", async () => {
    const ruleset = join(gateway.dir, "etc", "nftables.d", "warden.nft");
    await appendFile(ruleset, "# opened by hand for a vendor\n");
    const drifted = reported("firewall", (r) => typeof r.drift === "string", "firewall drift reported");
    await gateway.edge.refreshPosture();
    expect((await drifted).drift).toContain("warden.nft");

    const { check } = await fullScan();

    const drift = check("firewall", "config_drift");
    expect(drift).toMatchObject({ status: "fail", severity: "high" });
    expect(drift.details).toContain(gateway.name);
    expect(drift.details).toContain("firewall: warden.nft was changed on the gateway");
    const gw = await call("GET", `${S}/gateways`, { token: tenant.token });
    expect(gw.body.gateways[0].sync.firewall.status).toBe("drifted");
  });
});
