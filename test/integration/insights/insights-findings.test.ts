/**
 * Findings from the tenant's own records, end to end against DynamoDB Local and the local IoT
 * Core: metrics scored as they are ingested once a model trained on the tenant's own gateway
 * metrics is active (anomalies stored, audited and listed by the legacy `/api/anomalies`), and
 * summary, threat analysis and recommendations written from failed sign-ins and firewall blocks,
 * each citing the records it came from. Also the legacy reads: `/api/logs`, `/api/network`,
 * `/api/notifications`, each with Deprecation and a successor Link.
 */
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalIot, usePlatformWithLocalIot } from "#infra/local/iot/index.ts";
import { metricsSample } from "#test/helpers/edge-events.ts";

const iot = await startLocalIot();
await usePlatformWithLocalIot(iot);
const { createLocalRunner } = await import("#infra/local/workflows/runner-local.ts");
const { useWorkflowRunner } = await import("#shared/workflows/engine.ts");
const runner = createLocalRunner({ root: resolve(import.meta.dirname, "../../..") });
useWorkflowRunner(runner);
const { call, freshIp, newTenant } = await import("#test/helpers/api.ts");
const { viaTopicRule } = await import("#test/helpers/iot.ts");
const { handler: ingestHandler } = await import("#functions/iot/ingest.ts");
const { createRandom } = await import("#shared/insights/random.ts");
const { anomalySeverity } = await import("#shared/insights/anomalies.ts");
const ingest = viaTopicRule(ingestHandler);

type Tenant = Awaited<ReturnType<typeof newTenant>>;
const GW = "/cloud-integration/security/gateways";
const ATTACKER = "203.0.113.77";

afterAll(async () => {
  await iot.stop();
});

function dropLine(sourceIp: string, port: number) {
  return {
    timestamp: new Date().toISOString(),
    action: "DROP",
    protocol: "TCP",
    source_ip: sourceIp,
    source_port: 40000 + port,
    destination_ip: "10.0.0.1",
    destination_port: port,
    interface: "eth0",
    out_interface: null,
    rule_id: null,
    rule_name: null,
    prefix: "WARDEN-DROP ",
    bytes: 60,
    reason: null,
  };
}

let t: Tenant;
let gateway: { id: number; thing: string };

beforeAll(async () => {
  t = await newTenant("findings");
  const reg = await call("POST", GW, { token: t.token, body: { name: "edge-findings" } });
  gateway = { id: reg.body.gateway.id, thing: reg.body.gateway.thing_name };
  // An hour of ordinary samples (cpu ~ N(35, 3) %, memory ~ N(55, 3) %, load ~ N(0.7, 0.1)).
  const r = createRandom(11);
  const normal = () => Math.sqrt(-2 * Math.log(1 - r.next())) * Math.cos(2 * Math.PI * r.next());
  for (let i = 0; i < 60; i++) {
    const at = new Date(Date.now() - (60 - i) * 60_000);
    const sample = metricsSample(35 + 3 * normal(), 55 + 3 * normal(), 0.7 + 0.1 * normal(), at);
    await ingest({ ...sample, tenant: t.tenantId, thing: gateway.thing });
  }
}, 120_000);

describe("scoring gateway metrics as they are ingested", () => {
  it("trains on the tenant's own metrics, then stores and lists an anomalous sample, not a typical one", async () => {
    // Arrange: a model trained without a file uses the gateway metrics of the last 7 days.
    const started = await call("POST", "/api/insights/models/train", {
      token: t.token,
      body: { model_name: "Fleet baseline" },
    });
    expect(started.status).toBe(202);
    await runner.settled(started.body.data.training_session_id);
    const models = (await call("GET", "/api/insights/models", { token: t.token })).body.data.models;
    const model = models.find((m: { id: string }) => m.id === started.body.data.model_id);
    expect(model).toMatchObject({ status: "active", source: "gateway_metrics", training_rows: 60 });
    expect(model.features).toEqual(["cpu_usage", "memory_usage", "load_avg_1m"]);

    // Act
    await ingest({ ...metricsSample(35, 55, 0.7), tenant: t.tenantId, thing: gateway.thing });
    await ingest({ ...metricsSample(99, 97, 12), tenant: t.tenantId, thing: gateway.thing });
    const res = await call("GET", "/api/anomalies", { token: t.token });

    // Assert
    expect(res.status).toBe(200);
    expect(res.headers.Deprecation).toMatch(/^@\d+$/);
    expect(res.headers.Link).toBe('</api/insights/threat-analysis>; rel="successor-version"');
    expect(res.body.data.anomalies).toHaveLength(1);
    expect(res.body.data.anomalies[0]).toMatchObject({
      gateway_id: gateway.id,
      model_id: model.id,
      values: { cpu_usage: 99, memory_usage: 97, load_avg_1m: 12 },
    });
    expect(res.body.data.anomalies[0].anomaly_score).toBeGreaterThan(0.5);
    const audit = await call("GET", "/api/logs", {
      token: t.token,
      query: { type: "audit", event_type: "anomaly_detected" },
    });
    expect(audit.body.data.logs).toHaveLength(1);
    expect(audit.body.data.logs[0].details.anomaly_id).toBe(res.body.data.anomalies[0].id);
  });

  it("counts the anomaly on the metrics dashboards, by the severity its confidence gives", async () => {
    // Arrange: the anomaly stored by the previous test (the only one of this tenant).
    const listed = (await call("GET", "/api/anomalies", { token: t.token })).body.data.anomalies;
    expect(listed).toHaveLength(1);
    const severity = anomalySeverity(listed[0].confidence);

    // Act
    const organization = await call("GET", "/api/metrics/organization", { token: t.token });
    const dashboard = await call("GET", "/api/metrics/dashboard", { token: t.token });

    // Assert
    expect(organization.status).toBe(200);
    expect(organization.body.data.anomalies).toEqual({
      total: 1,
      high_severity: severity === "high" ? 1 : 0,
      medium_severity: severity === "medium" ? 1 : 0,
      low_severity: severity === "low" ? 1 : 0,
      resolved: null,
      open: 1,
      status: "detecting",
      window_days: 30,
    });
    expect(dashboard.status).toBe(200);
    expect(dashboard.body.data.organization.anomalies_open).toBe(1);
  });

  it("keeps another tenant's anomalies out of the listing", async () => {
    // Arrange
    const other = await newTenant("findings-other");

    // Act
    const res = await call("GET", "/api/anomalies", { token: other.token });
    const organization = await call("GET", "/api/metrics/organization", { token: other.token });

    // Assert
    expect(res.status).toBe(200);
    expect(res.body.data.anomalies).toEqual([]);
    expect(organization.body.data.anomalies).toMatchObject({ total: 0, open: 0, status: "no_active_model" });
  });
});

describe("summary, threat analysis and recommendations from the records", () => {
  beforeAll(async () => {
    // Twelve failed sign-ins against one user (from distinct addresses, so no address block
    // interferes; the user may get locked, the admin is not) and 25 blocked packets from one
    // source reported by the gateway.
    const victim = `victim-${t.tenantId.slice(-6)}`;
    await call("POST", "/cloud-integration/security/users/create", {
      token: t.token,
      body: { username: victim, email: `${victim}@example.com`, password: "Vict1m!Strong#Pass2026", role: "viewer" },
    });
    for (let i = 0; i < 12; i++) {
      await call("POST", "/api/auth/login", {
        body: { username: victim, password: "wrong-Password-1!" },
        ip: freshIp(),
      });
    }
    await ingest({
      type: "firewall_log",
      timestamp: new Date().toISOString(),
      lines: Array.from({ length: 25 }, (_, i) => dropLine(ATTACKER, 20 + i)),
      tenant: t.tenantId,
      thing: gateway.thing,
    });
  }, 120_000);

  it("summarises the failed-login spike and the repeated blocks, citing the audit records", async () => {
    // Act
    const res = await call("POST", "/api/insights/summary", {
      token: t.token,
      body: { time_range: "24h", log_types: ["error", "warning", "security"] },
    });

    // Assert
    expect(res.status).toBe(200);
    const data = res.body.data;
    const spike = data.findings.find((f: { rule: string }) => f.rule === "failed_login_spike");
    expect(spike.evidence.source).toBe("audit");
    expect(spike.evidence.count).toBeGreaterThanOrEqual(12);
    const failed = await call("GET", "/api/logs", {
      token: t.token,
      query: { type: "audit", event_type: "login_failed", limit: "100" },
    });
    const failedIds = new Set(failed.body.data.logs.map((l: { id: string }) => l.id));
    for (const id of spike.evidence.record_ids) expect(failedIds.has(id)).toBe(true);
    expect(data.findings.map((f: { rule: string }) => f.rule)).toEqual(
      expect.arrayContaining(["failed_login_spike", "repeated_blocks", "metric_anomalies"]),
    );
    expect(data.risk_level).toMatch(/high|critical/);
    expect(data.summary).toMatch(
      /^In the past 24h, \d+ audit events, 25 firewall blocks, 62 gateway metrics samples and 1 metrics anomaly were recorded/,
    );
    expect(data.key_findings).toHaveLength(data.findings.length);
  });

  it("names the blocked source as a network threat with its count, and predicts from what persists", async () => {
    // Act
    const res = await call("POST", "/api/insights/threat-analysis", {
      token: t.token,
      body: { analysis_type: "network", time_range: "7d", include_predictions: true },
    });

    // Assert
    expect(res.status).toBe(200);
    const threat = res.body.data.threats_detected.find(
      (x: { type: string }) => x.type === "suspicious_network_activity",
    );
    expect(threat.affected_devices).toEqual([ATTACKER, `gateway/${gateway.id}`]);
    expect(threat.evidence).toEqual({ source: "firewall", count: 25, record_ids: [] });
    expect(threat.confidence).toBeCloseTo(25 / 45, 2);
    expect(res.body.data.predictions.recommended_monitoring).toEqual(
      expect.arrayContaining(["network_traffic", "gateway_metrics"]),
    );
    // Authentication findings are not network threats.
    expect(res.body.data.threats_detected.map((x: { type: string }) => x.type)).not.toContain("credential_attack");
  });

  it("recommends what the findings call for, counting priorities", async () => {
    // Act
    const res = await call("GET", "/api/insights/recommendations", { token: t.token });

    // Assert
    expect(res.status).toBe(200);
    const recs = res.body.data.recommendations as { title: string; priority: string; affected_devices?: string[] }[];
    expect(recs.map((r) => r.title)).toEqual(
      expect.arrayContaining([`Blacklist ${ATTACKER}`, "Implement Multi-Factor Authentication"]),
    );
    expect(res.body.data.summary).toEqual({
      total_recommendations: recs.length,
      high_priority: recs.filter((r) => r.priority === "high").length,
      medium_priority: recs.filter((r) => r.priority === "medium").length,
      low_priority: recs.filter((r) => r.priority === "low").length,
    });
  });

  it("finds no threat for a tenant with nothing but its sign-up", async () => {
    // Arrange
    const quiet = await newTenant("findings-quiet");

    // Act
    const res = await call("POST", "/api/insights/threat-analysis", { token: quiet.token, body: {} });

    // Assert
    expect(res.status).toBe(200);
    expect(res.body.data.threats_detected).toEqual([]);
    expect(res.body.data.behavioral_patterns).toEqual([]);
    expect(res.body.data.threat_level).toBe("low");
  });
});

describe("legacy reads", () => {
  it("GET /api/logs pages the gateway's firewall lines with type=gateway", async () => {
    // Act
    const res = await call("GET", "/api/logs", {
      token: t.token,
      query: { type: "gateway", action: "DROP", limit: "10" },
    });

    // Assert
    expect(res.status).toBe(200);
    expect(res.headers.Link).toBe('</cloud-integration/security/audit/logs>; rel="successor-version"');
    expect(res.body.data.type).toBe("gateway");
    expect(res.body.data.logs).toHaveLength(10);
    expect(res.body.data.logs[0]).toMatchObject({ source_ip: ATTACKER, action: "DROP", gateway_id: gateway.id });
  });

  it("GET /api/network lists the gateways with their status, listening ports and traffic as reported", async () => {
    // Arrange: the gateway reports its listening sockets (firewall shadow) and a traffic interval.
    const now = new Date().toISOString();
    const reported = iot.shadows.update(gateway.thing, "firewall", {
      state: { reported: { listening: ["tcp:22", "tcp:443", "udp:68"], updated_at: now } },
    });
    expect(reported.kind).toBe("accepted");
    const network = {
      interval_seconds: 60,
      rx_bytes: 600_000,
      tx_bytes: 120_000,
      rx_bytes_per_s: 10_000,
      tx_bytes_per_s: 2_000,
      established_connections: 12,
    };
    await ingest({ ...metricsSample(35, 55, 0.7), network, tenant: t.tenantId, thing: gateway.thing });

    // Act
    const res = await call("GET", "/api/network", { token: t.token });

    // Assert
    expect(res.status).toBe(200);
    expect(res.headers.Deprecation).toMatch(/^@\d+$/);
    expect(res.body.data).toMatchObject({ total: 1, online: 1, offline: 0 });
    expect(res.body.data.gateways[0]).toMatchObject({
      id: gateway.id,
      status: "online",
      listening_ports: ["tcp:22", "tcp:443", "udp:68"],
      traffic: {
        rx_bytes_per_s: 10_000,
        tx_bytes_per_s: 2_000,
        established_connections: 12,
        interval_seconds: 60,
        sampled_at: res.body.data.gateways[0].last_seen,
      },
    });
  });

  it("GET /api/network says null where a gateway reports no ports or traffic", async () => {
    // Arrange
    const other = await newTenant("findings-network");
    await call("POST", GW, { token: other.token, body: { name: "edge-silent" } });

    // Act
    const res = await call("GET", "/api/network", { token: other.token });

    // Assert
    expect(res.status).toBe(200);
    expect(res.body.data.gateways[0]).toMatchObject({ status: "offline", listening_ports: null, traffic: null });
  });

  it("GET /api/notifications shows only the messages sent to the caller", async () => {
    // Arrange: a welcome message goes to the new user, not to the admin who created her.
    const password = "An0ther!Strong#Pass2026";
    const created = await call("POST", "/cloud-integration/security/users/create", {
      token: t.token,
      body: {
        username: `olivia-${t.tenantId.slice(-6)}`,
        email: `olivia-${t.tenantId}@example.com`,
        password,
        role: "viewer",
        send_welcome_email: true,
      },
    });
    expect(created.status).toBe(201);
    const login = await call("POST", "/api/auth/login", {
      body: { username: `olivia-${t.tenantId.slice(-6)}`, password },
      ip: freshIp(),
    });

    // Act
    const hers = await call("GET", "/api/notifications", { token: login.body.data.token });
    const admins = await call("GET", "/api/notifications", { token: t.token });

    // Assert
    expect(hers.status).toBe(200);
    expect(hers.body.data.notifications.map((n: { kind: string }) => n.kind)).toEqual(["welcome"]);
    expect(admins.body.data.notifications.map((n: { kind: string }) => n.kind)).not.toContain("welcome");
    expect(admins.headers.Link).toBe('</ws/notifications>; rel="successor-version"');
  });
});
