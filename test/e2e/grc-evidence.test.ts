/**
 * Live evidence end to end: a tenant's gateway runs the real edge handler against the local IoT
 * Core; a control bound to `firewall_default_deny` is verified once the default-deny firewall is
 * applied on the gateway; the gateway drifts (its reported firewall no longer matches what was
 * asked for) → the next scheduled evaluation drops the control from verified with timestamped
 * evidence naming the gateway, and the compliance dashboard shows it; the drift is fixed → the
 * control is verified again by itself.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalIot, usePlatformWithLocalIot } from "#infra/local/iot/index.ts";
import type { ShadowPublication } from "#infra/local/iot/shadow-service.ts";

const iot = await startLocalIot();
// The shared code reads its environment once: point it at the local IoT Core before importing it.
await usePlatformWithLocalIot(iot);
const { call, newTenant } = await import("#test/helpers/api.ts");
const { nextPublication, startGatewayEdge } = await import("#test/helpers/edge.ts");
const { handler: schedule } = await import("#functions/workers/grc-evidence-schedule.ts");
const { ControlEvidenceView } = await import("#shared/compliance/views.ts");

const S = "/api/security";
type Tenant = Awaited<ReturnType<typeof newTenant>>;
let tenant: Tenant;
let thing: string;
let gatewayId: number;
let gateway: Awaited<ReturnType<typeof startGatewayEdge>> | undefined;
let control: string;

const published = (match: (p: ShadowPublication) => boolean, what: string) =>
  nextPublication(iot.shadows, match, what, 20_000);
const applied = (version: (v: number) => boolean) =>
  published((p) => {
    if (p.thing !== thing || p.shadowName !== "firewall" || !p.topic.endsWith("/update/accepted")) return false;
    const r = (p.payload as { state?: { reported?: { status?: string; config_version?: number } } }).state?.reported;
    return r?.status === "applied" && typeof r.config_version === "number" && version(r.config_version);
  }, "firewall applied");

const report = (reported: Record<string, unknown>) => {
  const r = iot.shadows.update(thing, "firewall", { state: { reported } });
  if (r.kind !== "accepted") throw new Error("report rejected");
};
const status = async () => (await call("GET", `${S}/controls/${control}/`, { token: tenant.token })).body;

beforeAll(async () => {
  tenant = await newTenant("e2e-evidence");
  gateway = await startGatewayEdge(iot, tenant, "Evidence edge", { appliedVersion: 0, timeoutMs: 20_000 });
  thing = gateway.thing;
  gatewayId = gateway.id;
  const enterprise = (await call("GET", `${S}/enterprises/`, { token: tenant.token })).body.results[0].id;
  const c = await call("POST", `${S}/controls/`, {
    token: tenant.token,
    body: {
      enterprise,
      framework: "cis-controls-v8.1",
      control_id: "4.4",
      status: "implemented",
      priority: "critical",
    },
  });
  expect(c.status).toBe(201);
  control = c.body.id;
});

afterAll(async () => {
  await gateway?.stop();
  await iot.stop();
});

describe("a control bound to firewall_default_deny", () => {
  it("is verified once the gateway applies a default-deny firewall", async () => {
    const done = applied((v) => v > 0);
    const res = await call("POST", "/cloud-integration/security/firewall/settings", {
      token: tenant.token,
      body: { enabled: true, default_policy: "DROP" },
    });
    expect(res.status).toBe(200);
    await done;
    const bound = await call("POST", `${S}/controls/${control}/evidence/`, {
      token: tenant.token,
      body: { check: "firewall_default_deny" },
    });
    expect(bound.status).toBe(201);
    const r = ControlEvidenceView.parse(bound.body);
    expect(r.control).toMatchObject({ status: "verified", verified_by_username: "evidence" });
    expect(r.results[0]).toMatchObject({ result: "pass", facts: { gateways: 1, failing: 0 } });
  });

  it("leaves verified with timestamped evidence when the gateway drifts, and comes back when it is fixed", async () => {
    // Someone changed the live firewall on the gateway: what it reports no longer matches desired.
    report({ default_policy: "ACCEPT" });
    const gw = await call("GET", `/cloud-integration/security/gateways/${gatewayId}`, { token: tenant.token });
    expect(gw.body.sync.firewall.status).toBe("drifted");

    const before = Date.now();
    await schedule();
    const dropped = await status();
    expect(dropped.status).toBe("implemented");
    expect(dropped.status_reason).toContain(`gateway ${gatewayId}`);
    const evidence = ControlEvidenceView.parse(
      (await call("GET", `${S}/controls/${control}/evidence/`, { token: tenant.token })).body,
    );
    const latest = evidence.results[0];
    expect(latest).toMatchObject({ result: "fail", check: "firewall_default_deny" });
    expect(Date.parse(latest?.collected_at ?? "")).toBeGreaterThanOrEqual(before - 1000);
    expect(JSON.stringify(latest?.facts)).toContain('"sync_status":"drifted"');
    const dash = await call("GET", "/api/dashboard/security/compliance/", { token: tenant.token });
    expect(dash.body.failing_evidence.map((f: { control: string }) => f.control)).toEqual([control]);

    // Fixed on the gateway: the report matches desired again.
    report({ default_policy: null });
    expect(
      (await call("GET", `/cloud-integration/security/gateways/${gatewayId}`, { token: tenant.token })).body.sync
        .firewall.status,
    ).toBe("applied");
    await schedule();
    expect(await status()).toMatchObject({ status: "verified", status_reason: null, verified_by_username: "evidence" });
  });
});
