/**
 * The metrics routes over real state (DynamoDB Local, the local IoT Core, gateways reporting
 * through the ingest): the fleet's system metrics, organization, security and dashboard read
 * models, the usage export, Prometheus text checked by the real `promtool check metrics`, and the
 * public health probe with its 503 when a dependency is down. Each tenant sees only its own.
 */
import { execFile } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalIot, usePlatformWithLocalIot } from "#infra/local/iot/index.ts";

const iot = await startLocalIot();
await usePlatformWithLocalIot(iot);
const { call, newTenant } = await import("#test/helpers/api.ts");
const { viaTopicRule } = await import("#test/helpers/iot.ts");
const { handler: ingestHandler } = await import("#functions/iot/ingest.ts");
const views = await import("#shared/reports/metrics-views.ts");
const { UsageExportView } = await import("#shared/billing/views.ts");
const ingest = viaTopicRule(ingestHandler);

type Tenant = Awaited<ReturnType<typeof newTenant>>;
let acme: Tenant;
let globex: Tenant;
const gateways: { id: number; thing: string }[] = [];
let iotStopped = false;

afterAll(async () => {
  if (!iotStopped) await iot.stop();
});

function metrics(t: Tenant, thing: string, cpu: number, mem: number, uptime: number, at = new Date()) {
  return {
    type: "metrics",
    timestamp: at.toISOString(),
    cpu: { cores: 4, usage_percent: cpu, load_avg_1m: 1, load_avg_5m: 0.5, load_avg_15m: 0.25 },
    memory: {
      total_bytes: 4 * 1024 ** 3,
      free_bytes: 4 * 1024 ** 3 * (1 - mem / 100),
      used_bytes: 4 * 1024 ** 3 * (mem / 100),
      usage_percent: mem,
    },
    uptime_seconds: uptime,
    tenant: t.tenantId,
    thing,
  };
}

beforeAll(async () => {
  [acme, globex] = await Promise.all([newTenant("mx-acme"), newTenant("mx-globex")]);
  for (const name of ['north "edge"\\1', "south-edge", "silent-edge"]) {
    const res = await call("POST", "/cloud-integration/security/gateways", { token: acme.token, body: { name } });
    expect(res.status).toBe(201);
    gateways.push({ id: res.body.gateway.id, thing: res.body.gateway.thing_name });
  }
  const [north, south] = gateways;
  expect(await ingest(metrics(acme, north?.thing ?? "", 20, 25, 7200))).toMatchObject({ stored: true });
  expect(await ingest(metrics(acme, south?.thing ?? "", 95, 75, 3600))).toMatchObject({ stored: true });
});

describe("GET /api/metrics/system", () => {
  it("aggregates what the fleet's gateways report (securenet envelope)", async () => {
    const res = await call("GET", "/api/metrics/system", { token: acme.token });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe("success");
    const data = views.SystemMetricsView.parse(res.body.data);
    expect(data.cpu).toEqual({ usage_percent: 57.5, cores: 8, load_average: [1, 0.5, 0.25] });
    expect(data.memory).toEqual({ total_gb: 8, used_gb: 4, available_gb: 4, usage_percent: 50 });
    expect(data.uptime_seconds).toBe(3600);
    expect(data.gateways).toEqual({ total: 3, reporting: 2, gateway_id: null });
    expect(data.disk.status).toBe("not_configured");
  });

  it("answers one gateway with ?gateway_id=, and 404 for another tenant's gateway", async () => {
    const south = gateways[1]?.id ?? 0;
    const one = await call("GET", "/api/metrics/system", { token: acme.token, query: { gateway_id: String(south) } });
    expect(one.body.data.cpu.usage_percent).toBe(95);
    expect(one.body.data.gateways).toEqual({ total: 1, reporting: 1, gateway_id: south });
    const foreign = await call("GET", "/api/metrics/system", {
      token: globex.token,
      query: { gateway_id: String(south) },
    });
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.code).toBe("RESOURCE_NOT_FOUND");
  });
});

describe("GET /api/metrics/organization, /security, /dashboard", () => {
  it("counts devices online, offline and critical from what they reported, and the month's events", async () => {
    const res = await call("GET", "/api/metrics/organization", { token: acme.token });
    expect(res.status).toBe(200);
    const data = views.OrganizationMetricsView.parse(res.body.data);
    expect(data.devices).toEqual({ total: 3, online: 2, offline: 1, critical: 1 });
    expect(data.logs.total_this_month).toBe(2);
    // No model trained: nothing is scored, and the counts say so rather than claiming "none found".
    expect(data.anomalies).toMatchObject({ total: 0, open: 0, resolved: null, status: "no_active_model" });
    expect(data.security_score).toBeGreaterThanOrEqual(0);
    expect(data.security_score).toBeLessThanOrEqual(100);
    const other = await call("GET", "/api/metrics/organization", { token: globex.token });
    expect(other.body.data.devices).toEqual({ total: 0, online: 0, offline: 0, critical: 0 });
    expect(other.body.data.logs.total_this_month).toBe(0);
  });

  it("counts failed and warning audit events as security events", async () => {
    const before = views.SecurityMetricsView.parse(
      (await call("GET", "/api/metrics/security", { token: acme.token })).body.data,
    );
    // A refused mutation is audited as failed.
    const refused = await call("DELETE", "/cloud-integration/security/gateways/999999", { token: acme.token });
    expect(refused.status).toBe(404);
    const after = views.SecurityMetricsView.parse(
      (await call("GET", "/api/metrics/security", { token: acme.token })).body.data,
    );
    expect(after.security_events.last_24h).toBe(before.security_events.last_24h + 1);
    expect(after.security_events.last_30d).toBe(before.security_events.last_30d + 1);
    expect(after.compliance.status).toBe("not_configured");
  });

  it("puts system, organization, security and recent activity on the dashboard", async () => {
    const res = await call("GET", "/api/metrics/dashboard", { token: acme.token });
    expect(res.status).toBe(200);
    const data = views.DashboardView.parse(res.body.data);
    expect(data.system.cpu_usage).toBe(57.5);
    expect(data.organization).toMatchObject({ devices_total: 3, devices_online: 2 });
    expect(data.recent_activity[0]?.type).toBe("gateway_deregistered");
  });
});

describe("GET /api/metrics/prometheus", () => {
  it("answers Prometheus text that the real promtool accepts, with only the caller's tenant, labels escaped", async () => {
    const res = await call("GET", "/api/metrics/prometheus", { token: acme.token });
    expect(res.status).toBe(200);
    expect(res.headers["Content-Type"]).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = res.text;
    expect(text).toContain("# TYPE securenet_cpu_usage_percent gauge");
    expect(text).toContain(`securenet_cpu_usage_percent{organization_id="${acme.tenantId}"} 57.5`);
    expect(text).toContain(`securenet_devices{organization_id="${acme.tenantId}",status="online"} 2`);
    expect(text).toContain(`gateway="north \\"edge\\"\\\\1"`);
    expect(text).not.toContain(globex.tenantId);
    const child = execFile("promtool", ["check", "metrics"]);
    const checked = new Promise<{ code: number | null; out: string }>((resolve) => {
      let out = "";
      child.stdout?.on("data", (d) => (out += d));
      child.stderr?.on("data", (d) => (out += d));
      child.on("close", (code) => resolve({ code, out }));
    });
    child.stdin?.end(text);
    const { code, out } = await checked;
    expect(out).toBe("");
    expect(code).toBe(0);
  });

  it("shows promtool refusing the spec's gauge named securenet_devices_total (why it is renamed)", async () => {
    const spec =
      '# HELP securenet_devices_total Total number of devices\n# TYPE securenet_devices_total gauge\nsecurenet_devices_total{status="online"} 20\n';
    const child = execFile("promtool", ["check", "metrics"]);
    let out = "";
    child.stdout?.on("data", (d) => (out += d));
    child.stderr?.on("data", (d) => (out += d));
    const code = await new Promise<number | null>((resolve) => {
      child.on("close", resolve);
      child.stdin?.end(spec);
    });
    expect(code).not.toBe(0);
    expect(out).toContain('non-counter metrics should not have "_total" suffix');
  });
});

describe("GET /api/metrics/usage/export", () => {
  it("exports the months as JSON and CSV for the caller's tenant", async () => {
    const json = await call("GET", "/api/metrics/usage/export", { token: acme.token, query: { months: "2" } });
    expect(json.status).toBe(200);
    const data = UsageExportView.parse(json.body.data);
    expect(data.export_format).toBe("json");
    expect(data.organization_id).toBe(acme.tenantId);
    expect(data.usage_data).toHaveLength(2);
    expect(data.usage_data[0]).toMatchObject({ device_count: 3, log_count: 2, scan_count: 0 });
    const csv = await call("GET", "/api/metrics/usage/export", {
      token: acme.token,
      query: { format: "csv", months: "1" },
    });
    expect(csv.status).toBe(200);
    expect(csv.headers["Content-Type"]).toBe("text/csv; charset=utf-8");
    const [header, row] = csv.text.trim().split("\n");
    expect(header).toBe("month,device_count,scan_count,log_count,api_requests");
    expect(row).toMatch(new RegExp(`^${new Date().toISOString().slice(0, 7)},3,0,2,\\d+$`));
    const bad = await call("GET", "/api/metrics/usage/export", { token: acme.token, query: { format: "xml" } });
    expect(bad.status).toBe(400);
  });
});

describe("GET /api/metrics/health", () => {
  it("answers healthy without credentials and without tenant data", async () => {
    const res = await call("GET", "/api/metrics/health");
    expect(res.status).toBe(200);
    const body = views.HealthView.parse(res.body);
    expect(body).toMatchObject({ status: "healthy", database: "connected" });
    expect(body.checks).toMatchObject({ database: "connected", iot: "connected", workflows: "not_configured" });
    expect(body.services).toMatchObject({ log_ingestion: "running", anomaly_detection: "running" });
    expect(res.text).not.toContain(acme.tenantId);
  });

  it("answers 503 when a dependency is down (the IoT data plane stopped)", async () => {
    await iot.stop();
    iotStopped = true;
    const res = await call("GET", "/api/metrics/health");
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ status: "unhealthy", checks: { iot: "disconnected", database: "connected" } });
    expect(res.body.services).toMatchObject({ log_ingestion: "degraded", anomaly_detection: "degraded" });
    expect(res.body.services.log_ingestion).toBe("degraded");
  });
});
