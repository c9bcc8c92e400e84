/**
 * The gateway security scan routes against DynamoDB Local, the local IoT Core and the local
 * workflow runner (the synthesized `gateway-scan` definition): a scan judges what is true now — the
 * tenant's policy and users, the firewall and SSH each gateway runs, and what the gateways report in
 * their shadows (listening ports, zero-hit rules, drift, weak keys on the device) — and answers the
 * spec's shapes. One scan per tenant at a time (409), idempotent client_token, cancel within one
 * step, the weekly schedule, plan limits, 401/403, cross-tenant 404, the post-unlock scan, and
 * the securenet legacy aliases with their deprecation headers.
 *
 * The runner's `instrument` hook can hold a step (a gate) so "while one runs" is deterministic.
 */
import { resolve } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startLocalIot, usePlatformWithLocalIot } from "#infra/local/iot/index.ts";

const iot = await startLocalIot();
await usePlatformWithLocalIot(iot);
const { createLocalRunner } = await import("#infra/local/workflows/runner-local.ts");
const { useWorkflowRunner } = await import("#shared/workflows/engine.ts");

/** States held until released: a test sets a gate before starting a scan. */
const gates = new Map<string, { held: Promise<void>; release: () => void }>();
function hold(state: string): () => void {
  let release = () => {};
  const held = new Promise<void>((r) => {
    release = () => {
      gates.delete(state);
      r();
    };
  });
  gates.set(state, { held, release });
  return release;
}
const runner = createLocalRunner({
  root: resolve(import.meta.dirname, "../../.."),
  instrument: async (state, run) => {
    await gates.get(state)?.held;
    return run();
  },
});
useWorkflowRunner(runner);

const { call, freshIp, newTenant } = await import("#test/helpers/api.ts");
const { readAudit } = await import("#shared/audit/db/trail.ts");
const { tenantKeys } = await import("#shared/tenancy/db/tenants.ts");
const { getItem, updateVersioned } = await import("#shared/table/repo.ts");
const { handler: scheduledScan } = await import("#functions/workflows/gateway-scan/scheduled.ts");
const { WEBHOOK_EVENTS } = await import("#shared/webhooks/events.ts");
const { countScanUse } = await import("#shared/billing/limits.ts");
const { UpdateCommand } = await import("@aws-sdk/lib-dynamodb");
const { db, tableName } = await import("#shared/table/client.ts");
const { monthOfEpoch, requestMonthKey, requestSubjects } = await import("#shared/tenancy/db/rate-windows.ts");

type Tenant = Awaited<ReturnType<typeof newTenant>>;
const BASE = "/cloud-integration/security";
const SCAN_ID = /^scan-\d{8}-\d{6}-[0-9A-F]{8}$/;

let acme: Tenant;
let globex: Tenant;
let viewerToken: string;
const gw: { id: number; thing: string }[] = [];
let unusedRuleId: number;

async function register(t: Tenant, name: string) {
  const res = await call("POST", `${BASE}/gateways`, { token: t.token, body: { name } });
  expect(res.status).toBe(201);
  return { id: res.body.gateway.id as number, thing: res.body.gateway.thing_name as string };
}

const desiredVersion = (thing: string, shadow: string): number => {
  const got = iot.shadows.get(thing, shadow);
  const v = got.kind === "accepted" ? got.document.state.desired?.config_version : undefined;
  if (typeof v !== "number") throw new Error(`no desired ${shadow} on ${thing}`);
  return v;
};

/** The gateway applies what it was sent and reports `extra` (the edge's posture fields) with it. */
function report(thing: string, shadow: string, extra: Record<string, unknown> = {}) {
  const now = new Date().toISOString();
  const r = iot.shadows.update(thing, shadow, {
    state: {
      reported: {
        config_version: desiredVersion(thing, shadow),
        status: "applied",
        applied_at: now,
        updated_at: now,
        ...extra,
      },
    },
  });
  if (r.kind !== "accepted") throw new Error(`report rejected: ${r.error.message}`);
}

function pair() {
  const [plant, depot] = gw;
  if (!plant || !depot) throw new Error("gateways missing");
  return [plant, depot] as const;
}

/** A member registered by the admin: the default role, viewer (no security permission). */
async function viewer(t: Tenant): Promise<string> {
  const username = `viewer-${t.tenantId}`;
  const password = "Secure-Passw0rd!";
  const reg = await call("POST", "/api/v1/auth/register", {
    token: t.token,
    body: { email: `${username}@acme.test`, username, password },
  });
  expect(reg.status).toBe(201);
  const login = await call("POST", "/api/v1/auth/token", { body: { username, password }, ip: freshIp() });
  expect(login.status).toBe(200);
  return login.body.access_token as string;
}

/** Starts a scan and waits for its execution to end; answers the start's answer. */
async function scanned(t: Tenant, body: Record<string, unknown> = {}) {
  const res = await call("POST", `${BASE}/scan`, { token: t.token, body });
  expect(res.status, res.text).toBe(200);
  await runner.settled(res.body.scan_id);
  return res.body;
}

beforeAll(async () => {
  [acme, globex] = await Promise.all([newTenant("scan-acme"), newTenant("scan-globex")]);
  viewerToken = await viewer(acme);
  gw.push(await register(acme, "Plant edge"), await register(acme, "Depot edge"));
  await register(globex, "Globex edge");
  // HTTPS is allowed; a Modbus rule nobody uses; the default policy stays ACCEPT (the spec's default).
  const https = await call("POST", `${BASE}/firewall/rules/add`, {
    token: acme.token,
    body: { name: "HTTPS", chain: "INPUT", port: "443", protocol: "TCP", action: "ACCEPT", priority: 100 },
  });
  expect(https.status).toBe(201);
  // Rule changes reach the gateways through the fleet-sync workflow (this file's runner): wait for
  // it, so the reports below answer the configuration the gateways were sent.
  if (https.body.sync?.execution_id) await runner.settled(https.body.sync.execution_id);
  const modbus = await call("POST", `${BASE}/firewall/rules/add`, {
    token: acme.token,
    body: { name: "Modbus", chain: "INPUT", port: "502", protocol: "TCP", action: "ACCEPT", priority: 110 },
  });
  expect(modbus.status).toBe(201);
  if (modbus.body.sync?.execution_id) await runner.settled(modbus.body.sync.execution_id);
  unusedRuleId = modbus.body.rule.id;
  const [plant, depot] = pair();
  // Plant: applied; listens on SSH, HTTPS and a stray 8081; the Modbus rule never matched; a
  // 1024-bit RSA key sits in root's authorized_keys on the device.
  report(plant.thing, "firewall", {
    listening: ["tcp:22", "tcp:443", "tcp:8081", "udp:68"],
    unused_rules: [unusedRuleId],
  });
  report(plant.thing, "ssh", { weak_keys: ["RSA-1024 root"] });
  // Depot: its ruleset file was edited by hand.
  report(depot.thing, "firewall", {
    listening: ["tcp:22", "tcp:443"],
    unused_rules: [unusedRuleId],
    drift: "warden.nft differs from the applied ruleset",
  });
  report(depot.thing, "ssh");
}, 60_000);

afterAll(async () => {
  await iot.stop();
});

/**
 * Each test starts as if in a new minute for acme's scan routes: the file makes more scan-class
 * requests for acme (starts, 409s, retries, legacy aliases) than the spec's 10 per minute, and in
 * one fixed window the 11th is a 429 however fast the scans run.
 */
beforeEach(async () => {
  if (!acme) return;
  const now = Math.floor(Date.now() / 1000);
  await db
    .send(
      new UpdateCommand({
        TableName: tableName,
        Key: requestMonthKey(requestSubjects.tenant(acme.tenantId), "scan", monthOfEpoch(now)),
        UpdateExpression: "SET wc = :zero",
        ConditionExpression: "attribute_exists(wc)",
        ExpressionAttributeValues: { ":zero": 0 },
      }),
    )
    .catch((e: { name?: string }) => {
      if (e.name !== "ConditionalCheckFailedException") throw e;
    });
});

/** A test that failed before releasing its gate must not hold every later scan at that step. */
afterEach(() => {
  for (const gate of [...gates.values()]) gate.release();
});

describe("POST /scan", () => {
  it("starts a scan on the workflow engine and answers the spec's shape with the real progress_url", async () => {
    const release = hold("ScanAuthentication");
    const res = await call("POST", `${BASE}/scan`, {
      token: acme.token,
      body: {
        scan_type: "full",
        components: ["authentication", "firewall", "certificates", "ssh", "network"],
        depth: "deep",
        schedule: false,
      },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: "running",
      scan_type: "full",
      depth: "deep",
      components: ["authentication", "firewall", "certificates", "ssh", "network"],
      progress_url: `${BASE}/scan/progress/${res.body.scan_id}`,
      next_scan_scheduled: null,
    });
    expect(res.body.scan_id).toMatch(SCAN_ID);
    expect(Date.parse(res.body.estimated_completion)).toBeGreaterThan(Date.parse(res.body.started));

    // While it runs: another start is a 409 naming it; progress shows nothing done yet.
    const second = await call("POST", `${BASE}/scan`, { token: acme.token, body: {} });
    expect(second.status).toBe(409);
    expect(second.body.message).toContain(res.body.scan_id);
    const progress = await call("GET", res.body.progress_url, { token: acme.token });
    expect(progress.status).toBe(200);
    expect(progress.body).toMatchObject({
      scan_id: res.body.scan_id,
      status: "running",
      components_completed: [],
      components_remaining: ["authentication", "firewall", "certificates", "ssh", "network"],
      issues_found: 0,
    });
    expect(progress.body.progress).toBe(0);
    expect(progress.body.elapsed).toMatch(/^\d{2}:\d{2}:\d{2}$/);

    release();
    await runner.settled(res.body.scan_id);
    const done = await call("GET", res.body.progress_url, { token: acme.token });
    expect(done.body).toMatchObject({
      status: "completed",
      progress: 100,
      current_component: null,
      components_remaining: [],
      estimated_remaining: "00:00:00",
    });
    expect(done.body.components_completed).toEqual(["authentication", "firewall", "certificates", "ssh", "network"]);
    expect(done.body.issues_found).toBeGreaterThan(0);
  });

  it("finds what the gateways report: a port open without a rule, a weak key on the device, a drifted gateway, an unused rule", async () => {
    const started = await scanned(acme, { depth: "deep" });

    const res = await call("GET", `${BASE}/scan/results`, { token: acme.token, query: { scan_id: started.scan_id } });
    expect(res.status).toBe(200);
    const r = res.body;
    const check = (component: string, id: string) =>
      r.results[component].checks.find((c: { check: string }) => c.check === id);
    expect(check("network", "open_ports")).toMatchObject({ status: "fail", severity: "high" });
    expect(check("network", "open_ports").details).toContain("Plant edge: tcp:8081, udp:68");
    expect(check("network", "open_ports").details).not.toContain("tcp:443");
    expect(check("ssh", "key_strength")).toMatchObject({ status: "warning", severity: "low" });
    expect(check("ssh", "key_strength").details).toContain("One weak SSH key detected (1024-bit)");
    expect(check("firewall", "config_drift")).toMatchObject({ status: "fail", severity: "high" });
    expect(check("firewall", "config_drift").details).toContain("Depot edge");
    expect(check("firewall", "config_drift").details).not.toContain("Plant edge");
    expect(check("firewall", "unused_rules")).toMatchObject({ status: "warning" });
    expect(check("firewall", "unused_rules").details).toBe("1 unused firewall rule detected (Modbus)");
    expect(check("firewall", "default_deny")).toMatchObject({
      status: "warning",
      details: "Default policy not set to deny",
    });
    expect(check("ssh", "password_auth")).toMatchObject({
      status: "pass",
      details: "Password authentication disabled",
    });
    // The new tenant's gateways have no certificate yet.
    expect(check("certificates", "https_certificate").status).toBe("warning");

    // Per component: status, score and issues follow from the checks.
    for (const c of Object.values(r.results) as {
      status: string;
      score: number;
      issues: number;
      checks: { status: string }[];
    }[]) {
      expect(c.issues).toBe(c.checks.filter((x) => x.status !== "pass").length);
      expect(c.score).toBeGreaterThanOrEqual(0);
      expect(c.score).toBeLessThanOrEqual(100);
      const worst = c.checks.some((x) => x.status === "fail")
        ? "fail"
        : c.checks.some((x) => x.status === "warning")
          ? "warning"
          : "pass";
      expect(c.status).toBe(worst);
    }
    const issues = Object.values(r.results).reduce((n: number, c) => n + (c as { issues: number }).issues, 0);
    expect(r.total_issues).toBe(issues);
    expect(r.risk_level).toBe("high");
    expect(r.security_score).toBeLessThan(100);
    expect(r.recommendations).toContain("Replace weak SSH keys");
    expect(r.recommendations).toContain("Set firewall default policy to DROP");
    expect(r.duration).toMatch(/^\d{2}:\d{2}:\d{2}$/);
    expect(r.status).toBe("completed");
  });

  it("shows a fix in the next scan: the gateway closes the port and the drift is resynced", async () => {
    const [plant, depot] = pair();
    report(plant.thing, "firewall", { listening: ["tcp:22", "tcp:443"], unused_rules: [] });
    report(depot.thing, "firewall", { listening: ["tcp:22", "tcp:443"], unused_rules: [], drift: null });
    await scanned(acme, { components: ["firewall", "network"], depth: "deep" });

    const r = (await call("GET", `${BASE}/scan/results`, { token: acme.token })).body;
    expect(Object.keys(r.results)).toEqual(["firewall", "network"]);
    expect(r.results.network.checks.find((c: { check: string }) => c.check === "open_ports")).toMatchObject({
      status: "pass",
      details: "Only necessary ports open",
    });
    expect(r.results.firewall.checks.find((c: { check: string }) => c.check === "config_drift").status).toBe("pass");
    expect(r.results.firewall.checks.find((c: { check: string }) => c.check === "unused_rules").status).toBe("pass");
  });

  it("depth and scan_type change what runs", async () => {
    const quick = await scanned(acme, { scan_type: "quick", depth: "quick" });
    const q = (await call("GET", `${BASE}/scan/results`, { token: acme.token, query: { scan_id: quick.scan_id } }))
      .body;
    // quick scans skip the network component (its checks need the gateways' reports) and deep-only checks.
    expect(quick.components).toEqual(["authentication", "firewall", "certificates", "ssh"]);
    expect(q.results.firewall.checks.map((c: { check: string }) => c.check)).toEqual(["rules_active", "default_deny"]);
    expect(q.results.authentication.checks.map((c: { check: string }) => c.check)).not.toContain("dormant_accounts");

    const compliance = await scanned(acme, { scan_type: "compliance", depth: "deep" });
    const c = (await call("GET", `${BASE}/scan/results`, { token: acme.token, query: { scan_id: compliance.scan_id } }))
      .body;
    expect(c.results.authentication.checks.map((x: { check: string }) => x.check)).toContain("dormant_accounts");
    expect(Object.keys(c.results)).not.toContain("network");
  });

  it("is idempotent on client_token: a retry answers the scan the first request started", async () => {
    const first = await scanned(acme, { client_token: "nightly-2026-11-30", components: ["authentication"] });
    const retry = await call("POST", `${BASE}/scan`, {
      token: acme.token,
      body: { client_token: "nightly-2026-11-30", components: ["authentication"] },
    });
    expect(retry.status).toBe(200);
    expect(retry.body.scan_id).toBe(first.scan_id);
    expect(retry.body.status).toBe("completed");
  });

  it("refuses bad input naming the field, and callers without the permission", async () => {
    const bad = await call("POST", `${BASE}/scan`, { token: acme.token, body: { components: ["dns"] } });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain("components");
    const unknown = await call("POST", `${BASE}/scan`, { token: acme.token, body: { tenant_id: globex.tenantId } });
    expect(unknown.status).toBe(400);
    const repeated = await call("POST", `${BASE}/scan`, { token: acme.token, body: { components: ["ssh", "ssh"] } });
    expect(repeated.status).toBe(400);
    const none = await call("POST", `${BASE}/scan`, {
      token: acme.token,
      body: { scan_type: "quick", depth: "quick", components: ["network"] },
    });
    expect(none.status).toBe(400);
    expect(none.text).toContain("components");
    expect((await call("POST", `${BASE}/scan`, { body: {} })).status).toBe(401);
    expect((await call("POST", `${BASE}/scan`, { token: viewerToken, body: {} })).status).toBe(403);
    expect((await call("GET", `${BASE}/scan/results`, { token: viewerToken })).status).toBe(403);
  });

  it("counts scans against the plan: a free organization past its month's allowance gets 402", async () => {
    const t = await newTenant("scan-free");
    const item = await getItem(tenantKeys.tenant(t.tenantId), true);
    await updateVersioned(tenantKeys.tenant(t.tenantId), Number(item?.version), { plan: "free" });
    // The month's ten scans are used (counted as a scan start counts them).
    for (let i = 0; i < 10; i++) await countScanUse(t.tenantId, "gateway");
    const refused = await call("POST", `${BASE}/scan`, { token: t.token, body: {} });
    expect(refused.status).toBe(402);
    expect(refused.body.error).toBe("SUBSCRIPTION_LIMIT_EXCEEDED");
  });
});

describe("POST /scan/{scan_id}/cancel (beyond spec)", () => {
  it("stops a running scan within one step; it ends cancelled and says so", async () => {
    const release = hold("ScanFirewall");
    const res = await call("POST", `${BASE}/scan`, { token: acme.token, body: {} });
    const cancel = await call("POST", `${BASE}/scan/${res.body.scan_id}/cancel`, { token: acme.token });
    expect(cancel.status).toBe(200);
    expect(cancel.body).toMatchObject({ scan_id: res.body.scan_id, cancel_requested: true });
    release();
    await runner.settled(res.body.scan_id);

    const progress = (await call("GET", `${BASE}/scan/progress/${res.body.scan_id}`, { token: acme.token })).body;
    expect(progress.status).toBe("cancelled");
    expect(progress.error).toBe(`cancelled by ${acme.username}`);
    // At most the step that was running when the cancel came finished.
    expect(progress.components_completed.length).toBeLessThanOrEqual(1);
    expect(progress.components_remaining).toContain("network");

    const again = await call("POST", `${BASE}/scan/${res.body.scan_id}/cancel`, { token: acme.token });
    expect(again.status).toBe(409);
    expect(
      (await call("POST", `${BASE}/scan/scan-20260101-000000-00000000/cancel`, { token: acme.token })).status,
    ).toBe(404);
  });
});

describe("GET /scan/results and GET /scan/progress/{scan_id}", () => {
  it("latest answers the latest completed scan; another tenant's scan is a 404; a malformed id a 400", async () => {
    const latest = await call("GET", `${BASE}/scan/results`, { token: acme.token, query: { latest: "true" } });
    expect(latest.status).toBe(200);
    expect(latest.body.status).toBe("completed");
    const none = await call("GET", `${BASE}/scan/results`, { token: globex.token });
    expect(none.status).toBe(404);
    expect(none.text).toContain("no finished scan");
    const cross = await call("GET", `${BASE}/scan/progress/${latest.body.scan_id}`, { token: globex.token });
    expect(cross.status).toBe(404);
    const crossResults = await call("GET", `${BASE}/scan/results`, {
      token: globex.token,
      query: { scan_id: latest.body.scan_id },
    });
    expect(crossResults.status).toBe(404);
    expect((await call("GET", `${BASE}/scan/progress/not-a-scan`, { token: acme.token })).status).toBe(400);
    const noId = await call("GET", `${BASE}/scan/results`, { token: acme.token, query: { latest: "false" } });
    expect(noId.status).toBe(400);
    expect(noId.text).toContain("scan_id");
  });

  it("estimates from the tenant's previous scans", async () => {
    const release = hold("ScanAuthentication");
    const res = await call("POST", `${BASE}/scan`, { token: acme.token, body: { components: ["authentication"] } });
    const progress = (await call("GET", res.body.progress_url, { token: acme.token })).body;
    release();
    await runner.settled(res.body.scan_id);
    // Earlier scans of this tenant took well under a second per component: the estimate says so.
    expect(progress.estimated_remaining).toMatch(/^00:00:0\d$/);
  });
});

describe("schedule", () => {
  it("schedule: true makes the scan weekly (next run at 02:00 UTC); the schedule fires a scan; DELETE ends it", async () => {
    const t = await newTenant("scan-sched");
    const started = await scanned(t, { schedule: true, components: ["authentication"] });
    const next = new Date(started.next_scan_scheduled);
    expect(next.getUTCHours()).toBe(2);
    expect(next.getTime()).toBeGreaterThan(Date.now());
    expect(next.getTime() - Date.now()).toBeLessThanOrEqual(7 * 86_400_000);
    const results = await call("GET", `${BASE}/scan/results`, { token: t.token });
    expect(results.body.next_scan_scheduled).toBe(started.next_scan_scheduled);

    // What EventBridge Scheduler (or the local timer) invokes when the run is due.
    const fired = await scheduledScan({ tenantId: t.tenantId });
    expect(fired.scanId).toMatch(SCAN_ID);
    await runner.settled(fired.scanId as string);
    const scheduled = await call("GET", `${BASE}/scan/results`, {
      token: t.token,
      query: { scan_id: fired.scanId as string },
    });
    expect(scheduled.body).toMatchObject({ status: "completed", results: { authentication: expect.any(Object) } });

    expect((await call("DELETE", `${BASE}/scan/schedule`, { token: t.token })).status).toBe(204);
    expect((await call("GET", `${BASE}/scan/results`, { token: t.token })).body.next_scan_scheduled).toBeNull();
    expect((await call("DELETE", `${BASE}/scan/schedule`, { token: t.token })).status).toBe(404);
    expect((await scheduledScan({ tenantId: t.tenantId })).scanId).toBeNull();
  });
});

describe("results reach the audit trail and webhooks", () => {
  it("each finished scan appends scan_completed with its score; scan_completed is a webhook event", async () => {
    const t = await newTenant("scan-audit");
    const from = new Date(Date.now() - 1000);
    const started = await scanned(t, { components: ["authentication"] });
    const records = await readAudit(t.tenantId, from, new Date(Date.now() + 60_000));
    const done = records.find((r) => r.event_type === "scan_completed");
    expect(done).toMatchObject({ resource: `scans/${started.scan_id}`, status: "success" });
    expect(done?.details).toMatchObject({
      scan_id: started.scan_id,
      status: "completed",
      security_score: expect.any(Number),
    });
    expect(records.find((r) => r.event_type === "scan_started")).toBeDefined();
    expect(WEBHOOK_EVENTS).toContain("scan_completed");
  });
});

describe("POST /unlock starts the post-unlock scan", () => {
  it("post_unlock_scan_scheduled is true because a full scan really runs", async () => {
    const t = await newTenant("scan-unlock");
    expect((await call("POST", `${BASE}/lock/pin`, { token: t.token, body: { pin: "7392" } })).status).toBe(200);
    const lock = await call("POST", `${BASE}/lock`, {
      token: t.token,
      body: { reason: "drill", lock_users: false, lock_api: false, lock_ssh: true, duration_minutes: 5 },
    });
    expect(lock.status).toBe(200);
    const unlock = await call("POST", `${BASE}/unlock`, { token: t.token, body: { admin_pin: "7392" } });
    expect(unlock.status).toBe(200);
    expect(unlock.body.post_unlock_scan_scheduled).toBe(true);

    const status = await call("GET", "/api/security", { token: t.token });
    const running = status.body.data.scan_in_progress;
    const scanId: string = running?.scan_id ?? status.body.data.latest_scan?.scan_id;
    expect(scanId).toMatch(SCAN_ID);
    await runner.settled(scanId);
    const r = await call("GET", `${BASE}/scan/results`, { token: t.token });
    expect(r.body).toMatchObject({ scan_id: scanId, scan_type: "full", status: "completed" });
  });
});

describe("securenet legacy routes (deprecated aliases)", () => {
  it("GET /api/security answers status and the latest scan in the securenet envelope, naming its successor", async () => {
    const res = await call("GET", "/api/security", { token: acme.token });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe("success");
    expect(res.headers.Deprecation).toMatch(/^@\d+$/);
    expect(res.headers.Link).toBe(`<${BASE}/scan/results>; rel="successor-version"`);
    const latest = (await call("GET", `${BASE}/scan/results`, { token: acme.token })).body;
    expect(res.body.data).toMatchObject({
      security_score: latest.security_score,
      risk_level: latest.risk_level,
      latest_scan: { scan_id: latest.scan_id },
    });
  });

  it("POST /api/network/scan starts the gateway scan's firewall and network components", async () => {
    const res = await call("POST", "/api/network/scan", { token: acme.token, body: {} });
    expect(res.status).toBe(200);
    expect(res.headers.Link).toBe(`<${BASE}/scan>; rel="successor-version"`);
    expect(res.body.data).toMatchObject({ status: "running", components: ["firewall", "network"] });
    await runner.settled(res.body.data.scan_id);
    const r = await call("GET", `${BASE}/scan/results`, {
      token: acme.token,
      query: { scan_id: res.body.data.scan_id },
    });
    expect(r.body.status).toBe("completed");
  });

  it("POST /api/security/scan starts the full scan; errors come in the securenet envelope", async () => {
    const release = hold("ScanAuthentication");
    const res = await call("POST", "/api/security/scan", { token: acme.token, body: { depth: "quick" } });
    expect(res.status).toBe(200);
    expect(res.headers.Deprecation).toMatch(/^@\d+$/);
    const again = await call("POST", "/api/security/scan", { token: acme.token, body: {} });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ status: "error", error: { code: "CONFLICT" } });
    release();
    await runner.settled(res.body.data.scan_id);
  });
});
