/**
 * Exfiltration-like egress from the traffic each metrics sample reports (edge/metrics.ts reads
 * /proc/net/dev between samples), end to end: samples go through the real ingest (topic-rule
 * shape) into DynamoDB Local, and threat analysis, summary and recommendations are read through
 * the routes. A gateway sending far more than it receives and than it sent before is a finding
 * citing its samples; a gateway whose traffic is balanced, or unchanged from before, is not.
 * Models trained on the tenant's metrics use the traffic features once (nearly) every sample has them,
 * and the failed SSH logins and firewall drops each sample counts for its interval (the `events`
 * block): a sample with a burst of failed logins is scored anomalous as it is ingested.
 */
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalIot, usePlatformWithLocalIot } from "#infra/local/iot/index.ts";

const iot = await startLocalIot();
await usePlatformWithLocalIot(iot);
const { createLocalRunner } = await import("#infra/local/workflows/runner-local.ts");
const { useWorkflowRunner } = await import("#shared/workflows/engine.ts");
const runner = createLocalRunner({ root: resolve(import.meta.dirname, "../../..") });
useWorkflowRunner(runner);
const { call, newTenant } = await import("#test/helpers/api.ts");
const { viaTopicRule } = await import("#test/helpers/iot.ts");
const { handler: ingestHandler } = await import("#functions/iot/ingest.ts");
const { createRandom } = await import("#shared/insights/random.ts");
const ingest = viaTopicRule(ingestHandler);

const GW = "/cloud-integration/security/gateways";
const MIB = 1024 ** 2;

afterAll(async () => {
  await iot.stop();
});

/**
 * A 10-minute metrics sample with the traffic of its interval (bytes received and sent) and the
 * failed SSH logins and firewall drops the edge counted in it.
 */
function sample(at: Date, rx: number, tx: number, connections = 12, logs = { failed_logins: 1, firewall_drops: 20 }) {
  return {
    type: "metrics",
    timestamp: at.toISOString(),
    cpu: { cores: 4, usage_percent: 30, load_avg_1m: 0.5, load_avg_5m: 0.5, load_avg_15m: 0.5 },
    memory: { total_bytes: 8e9, free_bytes: 4e9, used_bytes: 4e9, usage_percent: 50 },
    uptime_seconds: 10_000,
    network: {
      interval_seconds: 600,
      rx_bytes: rx,
      tx_bytes: tx,
      rx_bytes_per_s: Math.round(rx / 600),
      tx_bytes_per_s: Math.round(tx / 600),
      established_connections: connections,
    },
    disk: { read_bytes_per_s: 1000, write_bytes_per_s: 2000 },
    events: { interval_seconds: 600, ...logs },
  };
}

const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000);

async function gatewayOf(token: string, name: string) {
  const reg = await call("POST", GW, { token, body: { name } });
  return { id: reg.body.gateway.id as number, thing: reg.body.gateway.thing_name as string };
}

let t: Awaited<ReturnType<typeof newTenant>>;
let leaking: { id: number; thing: string };
let busy: { id: number; thing: string };

beforeAll(async () => {
  t = await newTenant("egress");
  leaking = await gatewayOf(t.token, "edge-leaking");
  busy = await gatewayOf(t.token, "edge-busy");
  const send = (g: { thing: string }, s: ReturnType<typeof sample>) =>
    ingest({ ...s, tenant: t.tenantId, thing: g.thing });
  // The day before the window: both gateways send ~2 MiB per sample and receive more.
  for (let i = 0; i < 6; i++) {
    await send(leaking, sample(hoursAgo(40 - i), 5 * MIB, 2 * MIB));
    await send(busy, sample(hoursAgo(40 - i), 5 * MIB, 40 * MIB));
  }
  // The window: the leaking gateway sends 60 MiB per sample while receiving 1 MiB (360 MiB in all);
  // the busy one keeps sending what it sent before (a lot, but nothing new).
  for (let i = 0; i < 6; i++) {
    await send(leaking, sample(hoursAgo(6 - i), MIB, 60 * MIB));
    await send(busy, sample(hoursAgo(6 - i), 5 * MIB, 40 * MIB));
  }
}, 120_000);

describe("exfiltration-like egress", () => {
  it("finds the gateway sending far more than it receives and than before, citing its samples", async () => {
    // Act
    const res = await call("POST", "/api/insights/threat-analysis", {
      token: t.token,
      body: { analysis_type: "network", time_range: "24h" },
    });

    // Assert
    expect(res.status).toBe(200);
    const threats = res.body.data.threats_detected as {
      type: string;
      affected_devices: string[];
      evidence: { source: string; count: number; record_ids: string[] };
      severity: string;
    }[];
    const egress = threats.filter((x) => x.type === "data_exfiltration");
    expect(egress).toHaveLength(1);
    expect(egress[0]?.affected_devices).toEqual([`gateway/${leaking.id}`]);
    expect(egress[0]?.evidence.source).toBe("metrics");
    expect(egress[0]?.evidence.count).toBe(6);
    expect(egress[0]?.evidence.record_ids).toHaveLength(6);
    expect(egress[0]?.evidence.record_ids.every((id) => id.startsWith(`metrics/${leaking.id}/`))).toBe(true);
    // 360 MiB sent against 12 MiB the day before: high, not critical (under 1 GiB).
    expect(egress[0]?.severity).toBe("high");
  });

  it("recommends investigating the gateway and counts the samples in the summary", async () => {
    // Act
    const recs = await call("GET", "/api/insights/recommendations", { token: t.token });
    const summary = await call("POST", "/api/insights/summary", {
      token: t.token,
      body: { time_range: "24h", log_types: ["security"] },
    });

    // Assert
    expect(recs.status).toBe(200);
    expect(recs.body.data.recommendations.map((r: { title: string }) => r.title)).toContain(
      `Investigate outbound traffic from gateway/${leaking.id}`,
    );
    expect(summary.status).toBe(200);
    expect(summary.body.data.summary).toContain("12 gateway metrics samples");
    expect(summary.body.data.summary).toContain(`gateway ${leaking.id} sent 360 MiB and received 6 MiB`);
  });

  it("trains a model on the traffic, connection, disk and log-event features every sample carries", async () => {
    // Act
    const started = await call("POST", "/api/insights/models/train", {
      token: t.token,
      body: { model_name: "With traffic" },
    });
    expect(started.status).toBe(202);
    await runner.settled(started.body.data.training_session_id);
    const models = (await call("GET", "/api/insights/models", { token: t.token })).body.data.models;

    // Assert
    const model = models.find((m: { id: string }) => m.id === started.body.data.model_id);
    expect(model).toMatchObject({ status: "active", training_rows: 24 });
    expect(model.features).toEqual([
      "cpu_usage",
      "memory_usage",
      "load_avg_1m",
      "net_rx_bytes_per_s",
      "net_tx_bytes_per_s",
      "net_connections",
      "disk_read_bytes_per_s",
      "disk_write_bytes_per_s",
      "failed_logins_per_min",
      "firewall_drops_per_min",
    ]);
  });
});

describe("failed SSH logins a gateway counts (rule gateway_ssh_failed_logins)", () => {
  it("finds the gateway whose failed SSH logins rose, citing its samples, and recommends closing password logins; a steady one is not named", async () => {
    // Arrange: a tenant of its own; both gateways counted 1 failed login per sample the day before,
    // then one counts 30 per sample in the window (180 in all) and the other stays at 1.
    const own = await newTenant("ssh-fails");
    const guessed = await gatewayOf(own.token, "edge-guessed");
    const steady = await gatewayOf(own.token, "edge-steady");
    const send = (g: { thing: string }, s: ReturnType<typeof sample>) =>
      ingest({ ...s, tenant: own.tenantId, thing: g.thing });
    for (let i = 0; i < 6; i++) {
      await send(guessed, sample(hoursAgo(40 - i), 5 * MIB, 2 * MIB));
      await send(steady, sample(hoursAgo(40 - i), 5 * MIB, 2 * MIB));
    }
    for (let i = 0; i < 6; i++) {
      await send(guessed, sample(hoursAgo(6 - i), 5 * MIB, 2 * MIB, 12, { failed_logins: 30, firewall_drops: 20 }));
      await send(steady, sample(hoursAgo(6 - i), 5 * MIB, 2 * MIB));
    }

    // Act
    const res = await call("POST", "/api/insights/threat-analysis", {
      token: own.token,
      body: { analysis_type: "comprehensive", time_range: "24h" },
    });
    const recs = await call("GET", "/api/insights/recommendations", { token: own.token });

    // Assert
    expect(res.status).toBe(200);
    const threats = res.body.data.threats_detected as {
      type: string;
      affected_devices: string[];
      evidence: { source: string; count: number; record_ids: string[] };
      severity: string;
    }[];
    const ssh = threats.filter(
      (x) => x.affected_devices.some((d) => d.startsWith("gateway/")) && x.type === "brute_force",
    );
    expect(ssh).toHaveLength(1);
    expect(ssh[0]?.affected_devices).toEqual([`gateway/${guessed.id}`]);
    expect(ssh[0]?.evidence).toMatchObject({ source: "metrics", count: 180 });
    expect(ssh[0]?.evidence.record_ids).toHaveLength(6);
    expect(ssh[0]?.evidence.record_ids.every((id) => id.startsWith(`metrics/${guessed.id}/`))).toBe(true);
    // 180 against 6 the day before: ≥ 100 and ≥ 10× — critical.
    expect(ssh[0]?.severity).toBe("critical");
    expect(recs.status).toBe(200);
    expect(recs.body.data.recommendations.map((r: { title: string }) => r.title)).toContain(
      `Stop the SSH password guessing on gateway/${guessed.id}`,
    );
  });
});

describe("failed logins and firewall drops per interval as model features", () => {
  let u: Awaited<ReturnType<typeof newTenant>>;
  let gw: { id: number; thing: string };
  let modelId: string;
  const r = createRandom(14);
  const normal = () => Math.sqrt(-2 * Math.log(1 - r.next())) * Math.cos(2 * Math.PI * r.next());
  const centre = () => 0;
  /**
   * A 10-minute sample of this gateway, every figure normally distributed around its mean (exactly
   * the mean with `centre`): a couple of failed logins and ~30 drops per interval, as always.
   */
  function interval(at: Date, noise: () => number, logs?: { failed_logins: number; firewall_drops: number }) {
    const v = (mean: number, sd: number) => Math.max(0, mean + sd * noise());
    return {
      ...sample(at, v(6e6, 5e5), v(3e6, 2.5e5), Math.round(v(12, 2))),
      cpu: { cores: 4, usage_percent: v(30, 3), load_avg_1m: v(0.6, 0.1), load_avg_5m: 0.5, load_avg_15m: 0.5 },
      memory: { total_bytes: 8e9, free_bytes: 4e9, used_bytes: 4e9, usage_percent: v(50, 2) },
      disk: { read_bytes_per_s: v(1000, 150), write_bytes_per_s: v(2000, 250) },
      events: {
        interval_seconds: 600,
        ...(logs ?? { failed_logins: Math.round(v(2, 1)), firewall_drops: Math.round(v(30, 5)) }),
      },
    };
  }
  const send = (s: object) => ingest({ ...s, tenant: u.tenantId, thing: gw.thing });

  beforeAll(async () => {
    u = await newTenant("log-features");
    gw = await gatewayOf(u.token, "edge-log-features");
    // 100 samples: the first after the edge started carries no counts (as the edge sends it), the others do.
    const { events: _none, ...first } = interval(new Date(Date.now() - 101 * 600_000), normal);
    await send(first);
    for (let i = 0; i < 99; i++) await send(interval(new Date(Date.now() - (100 - i) * 600_000), normal));
    const started = await call("POST", "/api/insights/models/train", {
      token: u.token,
      body: { model_name: "With log events" },
    });
    expect(started.status).toBe(202);
    await runner.settled(started.body.data.training_session_id);
    modelId = started.body.data.model_id;
  }, 120_000);

  it("trains on the counts when at least 95 % of the samples carry them", async () => {
    // Act
    const models = (await call("GET", "/api/insights/models", { token: u.token })).body.data.models;

    // Assert
    const model = models.find((m: { id: string }) => m.id === modelId);
    // The sample without counts is left out of the rows, not filled in.
    expect(model).toMatchObject({ status: "active", source: "gateway_metrics", training_rows: 99 });
    expect(model.features).toContain("failed_logins_per_min");
    expect(model.features).toContain("firewall_drops_per_min");
  });

  it("scores an interval with a burst of failed logins as anomalous at ingest; without the burst, or without counts, it is not", async () => {
    // Arrange: a brute force from many sources in one interval: 400 failed logins, the rate-limit
    // rules dropping 300 packets, 30 connections open, CPU at 50 %. The same interval with the usual
    // 2 failed logins differs only in that feature.
    const now = Date.now();
    const bruteForce = (at: number, failedLogins: number) => {
      const s = interval(new Date(at), centre, { failed_logins: failedLogins, firewall_drops: 300 });
      return {
        ...s,
        cpu: { ...s.cpu, usage_percent: 50 },
        network: { ...s.network, established_connections: 30 },
      };
    };
    const burst = bruteForce(now - 1_000, 400);

    // Act
    await send(interval(new Date(now - 4_000), centre));
    // A sample without the events block (the first after a restart) lacks the model's features: not
    // scored, however far its other figures are from the usual.
    const { events: _none, ...uncounted } = interval(new Date(now - 3_000), centre);
    await send({
      ...uncounted,
      cpu: { ...uncounted.cpu, usage_percent: 99, load_avg_1m: 12 },
      memory: { ...uncounted.memory, usage_percent: 97 },
    });
    await send(bruteForce(now - 2_000, 2));
    await send(burst);
    const res = await call("GET", "/api/anomalies", { token: u.token });

    // Assert: only the interval with the burst.
    expect(res.status).toBe(200);
    expect(res.body.data.anomalies).toHaveLength(1);
    const [anomaly] = res.body.data.anomalies;
    expect(anomaly).toMatchObject({
      gateway_id: gw.id,
      model_id: modelId,
      timestamp: burst.timestamp,
      // Per minute over the 10-minute interval.
      values: { failed_logins_per_min: 40, firewall_drops_per_min: 30, net_connections: 30 },
    });
    expect(anomaly.features_contributing).toContain("failed_logins_per_min");
  });
});
