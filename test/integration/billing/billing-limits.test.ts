/**
 * Plan limits enforced at the point of use, on every surface, against DynamoDB Local and the local
 * IoT Core: the device limit (atomic under 20 concurrent registrations), scans per month, API-key
 * authentication (`api_access`), `ml_detection`, the retention of ingested events and the audit
 * retention bound; and the counters behind usage (devices, scans, ingested events, API requests),
 * kept per tenant.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startLocalIot, usePlatformWithLocalIot } from "#infra/local/iot/index.ts";

// These tenants start on the product's signup plan (free), not the suite's default (test/setup/env.ts).
vi.hoisted(() => {
  delete process.env.WARDEN_SIGNUP_PLAN;
});

const iot = await startLocalIot();
await usePlatformWithLocalIot(iot);
const { call, newTenant } = await import("#test/helpers/api.ts");
const { viaTopicRule } = await import("#test/helpers/iot.ts");
const { handler: ingestHandler } = await import("#functions/iot/ingest.ts");
const { setTenantPlan, getTenant } = await import("#shared/tenancy/tenants.ts");
const { assertMlDetection, countScanUse, PlanLimitExceeded } = await import("#shared/billing/limits.ts");
const { getItem } = await import("#shared/table/repo.ts");
const { LimitsCheckView, UsageView } = await import("#shared/billing/views.ts");
const ingest = viaTopicRule(ingestHandler);

type Tenant = Awaited<ReturnType<typeof newTenant>>;
const GW = "/cloud-integration/security/gateways";

afterAll(async () => {
  await iot.stop();
});

async function register(t: Tenant, name: string) {
  return call("POST", GW, { token: t.token, body: { name } });
}

async function registerOk(t: Tenant, name: string): Promise<{ id: number; thing: string }> {
  const res = await register(t, name);
  if (res.status !== 201) throw new Error(`register ${name}: ${res.status} ${res.text}`);
  return { id: res.body.gateway.id, thing: res.body.gateway.thing_name };
}

function metricsEvent(t: Tenant, thing: string, at = new Date()) {
  return {
    type: "metrics",
    timestamp: at.toISOString(),
    cpu: { cores: 2, usage_percent: 40, load_avg_1m: 0.5, load_avg_5m: 0.4, load_avg_15m: 0.3 },
    memory: { total_bytes: 2e9, free_bytes: 1e9, used_bytes: 1e9, usage_percent: 50 },
    uptime_seconds: 600,
    tenant: t.tenantId,
    thing,
  };
}

describe("sign-up", () => {
  it("starts a new organization on the free plan", async () => {
    const t = await newTenant("bl-signup");
    expect((await getTenant(t.tenantId))?.plan).toBe("free");
    const res = await call("GET", "/api/billing/current-plan", { token: t.token });
    expect(res.status).toBe(200);
    expect(res.body.data.plan).toEqual({ id: "free", name: "Free", price: 0, device_limit: 5 });
  });
});

describe("device limit", () => {
  let t: Tenant;
  beforeAll(async () => {
    t = await newTenant("bl-devices");
    for (let i = 1; i <= 4; i++) await registerOk(t, `edge-${i}`);
  });

  it("lets exactly one of 20 concurrent registrations take the last free place (free plan, 4 of 5 used)", async () => {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => register(t, `race-${i}`)));
    const created = results.filter((r) => r.status === 201);
    const refused = results.filter((r) => r.status === 402);
    expect(created).toHaveLength(1);
    expect(refused).toHaveLength(19);
    // The gateway surface's own envelope, naming the limit, the current value and the plan that lifts it.
    expect(refused[0]?.body).toMatchObject({ error: "SUBSCRIPTION_LIMIT_EXCEEDED" });
    expect(refused[0]?.body.message).toMatch(/'free' plan allows devices up to 5; current: 5; the 'pro' plan lifts it/);
    const list = await call("GET", GW, { token: t.token });
    expect(list.body.gateways).toHaveLength(5);
  });

  it("shows the devices in limits/check and gives the place back when a gateway is deregistered", async () => {
    const check = await call("GET", "/api/billing/limits/check", { token: t.token });
    expect(check.status).toBe(200);
    LimitsCheckView.parse(check.body.data);
    expect(check.body.data.limits.devices).toEqual({ current: 5, limit: 5, remaining: 0 });
    expect(check.body.data.warnings).toEqual([expect.stringMatching(/^devices: 5 of 5 used \(100%/)]);
    const list = await call("GET", GW, { token: t.token });
    const last = list.body.gateways[list.body.gateways.length - 1];
    expect((await call("DELETE", `${GW}/${last.id}`, { token: t.token })).status).toBe(200);
    expect((await register(t, "after-delete")).status).toBe(201);
    expect((await register(t, "one-too-many")).status).toBe(402);
  });

  it("lifts the limit with the plan: the same tenant on pro registers a sixth gateway", async () => {
    await setTenantPlan(t.tenantId, "pro");
    expect((await register(t, "sixth")).status).toBe(201);
    const check = await call("GET", "/api/billing/limits/check", { token: t.token });
    expect(check.body.data.limits.devices).toEqual({ current: 6, limit: 50, remaining: 44 });
    expect(check.body.data.within_limits).toBe(true);
  });

  it("refuses a downgrade while usage exceeds the lower plan's limits, naming them", async () => {
    const res = await call("POST", "/api/billing/upgrade", { token: t.token, body: { plan_id: "free" } });
    expect(res.status).toBe(402);
    expect(res.body.status).toBe("error");
    expect(res.body.error.code).toBe("SUBSCRIPTION_LIMIT_EXCEEDED");
    expect(res.body.error.message).toContain("devices: 6 registered, the 'free' plan allows 5");
    expect((await getTenant(t.tenantId))?.plan).toBe("pro");
  });
});

describe("api_access", () => {
  it("refuses the API keys of a free tenant on every surface, and accepts them once the plan has api_access", async () => {
    const t = await newTenant("bl-keys");
    const made = await call("POST", "/cloud-integration/security/api-keys/generate", {
      token: t.token,
      body: { name: "ci", scope: ["*"] },
    });
    expect(made.status).toBe(201);
    const key = made.body.api_key.full_key as string;

    const securenet = await call("GET", "/api/billing/current-plan", { apiKey: key });
    expect(securenet.status).toBe(403);
    expect(securenet.body).toMatchObject({ status: "error", error: { code: "SUBSCRIPTION_LIMIT_EXCEEDED" } });
    expect(securenet.body.error.message).toMatch(
      /'free' plan does not include api_access \(api_access: false\); the 'pro' plan/,
    );
    const gateway = await call("GET", GW, { apiKey: key });
    expect(gateway.status).toBe(403);
    expect(gateway.body.error).toBe("SUBSCRIPTION_LIMIT_EXCEEDED");
    const cloud = await call("GET", "/api/v1/auth/me", { apiKey: key });
    expect(cloud.status).toBe(403);
    expect(cloud.body.detail).toMatch(/api_access/);

    await setTenantPlan(t.tenantId, "pro");
    expect((await call("GET", "/api/billing/current-plan", { apiKey: key })).status).toBe(200);
  });
});

describe("scans per month", () => {
  it("counts scans atomically: 20 concurrent scans at 9 of 10 let exactly one through", async () => {
    const t = await newTenant("bl-scans");
    for (let i = 0; i < 9; i++) await countScanUse(t.tenantId, i % 2 ? "gateway" : "cloud");
    const outcomes = await Promise.allSettled(Array.from({ length: 20 }, () => countScanUse(t.tenantId, "cloud")));
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    const refusals = outcomes.flatMap((o) => (o.status === "rejected" ? [o.reason] : []));
    expect(refusals).toHaveLength(19);
    expect(refusals[0]).toBeInstanceOf(PlanLimitExceeded);
    expect(refusals[0]).toMatchObject({
      statusCode: 402,
      code: "SUBSCRIPTION_LIMIT_EXCEEDED",
      limit: "scans_per_month",
    });
    const check = await call("GET", "/api/billing/limits/check", { token: t.token });
    expect(check.body.data.limits.scans).toEqual({ current: 10, limit: 10, remaining: 0 });
  });

  it("bills scans beyond a soft limit instead of refusing them (pro: $0.50 per scan over 500)", async () => {
    const t = await newTenant("bl-overage");
    await setTenantPlan(t.tenantId, "pro");
    for (let done = 0; done < 503; done += 50) {
      const n = Math.min(50, 503 - done);
      await Promise.all(Array.from({ length: n }, (_, i) => countScanUse(t.tenantId, i % 2 ? "gateway" : "cloud")));
    }
    const usage = await call("GET", "/api/billing/usage", { token: t.token, query: { months: "2" } });
    expect(usage.status).toBe(200);
    UsageView.parse(usage.body.data);
    expect(usage.body.data.current_usage.scans_this_month).toBe(503);
    expect(usage.body.data.overage_charges).toEqual({ devices: 0, scans: 1.5, total: 1.5 });
    expect(usage.body.data.usage_history).toHaveLength(2);
  });
});

describe("ml_detection", () => {
  it("refuses training and prediction on free (403) and allows them on pro", async () => {
    const t = await newTenant("bl-ml");
    await expect(assertMlDetection(t.tenantId)).rejects.toMatchObject({
      statusCode: 403,
      code: "SUBSCRIPTION_LIMIT_EXCEEDED",
      message: expect.stringContaining("ml_detection"),
    });
    await setTenantPlan(t.tenantId, "pro");
    await expect(assertMlDetection(t.tenantId)).resolves.toBeUndefined();
  });
});

describe("retention", () => {
  it("keeps a free tenant's ingested events 7 days and an enterprise tenant's 365, and counts them", async () => {
    const free = await newTenant("bl-ret-free");
    const big = await newTenant("bl-ret-ent");
    await setTenantPlan(big.tenantId, "enterprise");
    const at = new Date();
    for (const [t, days] of [
      [free, 7],
      [big, 365],
    ] as const) {
      const g = await registerOk(t, "retention-edge");
      expect(await ingest(metricsEvent(t, g.thing, at))).toMatchObject({ stored: true });
      expect(await ingest(metricsEvent(t, g.thing, new Date(at.getTime() + 1000)))).toMatchObject({ stored: true });
      const { gatewayMetricsKeys } = await import("#shared/fleet/db/gateway-metrics.ts");
      const item = await getItem({
        PK: gatewayMetricsKeys.dayPk(t.tenantId, at.toISOString().slice(0, 10)),
        SK: gatewayMetricsKeys.sk(at.toISOString(), g.id),
      });
      const expected = Math.floor(at.getTime() / 1000) + days * 86_400;
      expect(Math.abs(Number(item?.expiresAt) - expected)).toBeLessThanOrEqual(5);
      const usage = await call("GET", "/api/billing/usage", { token: t.token });
      expect(usage.body.data.current_usage.logs_this_month).toBe(2);
    }
  });

  it("bounds the audit retention a tenant may set by its plan (free: 90 days)", async () => {
    const t = await newTenant("bl-audit");
    const save = (days: number) =>
      call("POST", "/cloud-integration/security/settings/save-all", {
        token: t.token,
        body: { audit: { retention_days: days } },
      });
    const refused = await save(365);
    expect(refused.status).toBe(402);
    expect(refused.body.message).toMatch(/audit_retention_days up to 90; current: 365; the 'pro' plan lifts it/);
    expect((await save(60)).status).toBe(200);
    await setTenantPlan(t.tenantId, "pro");
    expect((await save(365)).status).toBe(200);
  });
});

describe("API-request metering", () => {
  it("counts every authenticated request of the month per tenant, and nobody else's", async () => {
    const [a, b] = await Promise.all([newTenant("bl-meter-a"), newTenant("bl-meter-b")]);
    for (let i = 0; i < 3; i++) expect((await call("GET", "/api/auth/me", { token: a.token })).status).toBe(200);
    const usageA = await call("GET", "/api/billing/usage", { token: a.token, query: { months: "1" } });
    // Three reads and the usage request itself; sign-up was anonymous.
    expect(usageA.body.data.current_usage.api_requests_this_month).toBe(4);
    expect(usageA.body.data.usage_history[0].api_requests).toBe(4);
    const usageB = await call("GET", "/api/billing/usage", { token: b.token, query: { months: "1" } });
    expect(usageB.body.data.current_usage.api_requests_this_month).toBe(1);
    expect(usageB.body.data.current_usage.devices).toBe(0);
  });
});
