/**
 * The gateway registry against DynamoDB Local and the local IoT Core: registration provisions a
 * thing, a real certificate and a policy confined to the gateway, and seeds its shadows;
 * listing reads each named shadow's sync state; deregistration removes everything; tenants never
 * see each other's gateways.
 */
import { createPrivateKey, createPublicKey, X509Certificate } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalIot, usePlatformWithLocalIot } from "#infra/local/iot/index.ts";

// Shared code reads its environment once at import: the local IoT Core must be up and named first.
const iot = await startLocalIot();
// The shared code reads its environment once: point it at the local IoT Core before importing it.
await usePlatformWithLocalIot(iot);
const { call, newTenant, viewerToken: viewer } = await import("#test/helpers/api.ts");
const { viaTopicRule } = await import("#test/helpers/iot.ts");
const { localThings } = await import("#infra/local/iot/registry-local.ts");
const { renderGatewayPolicy } = await import("#shared/iot/policy.ts");
const { handler: ingestHandler } = await import("#functions/iot/ingest.ts");
const ingest = viaTopicRule(ingestHandler);

type Tenant = Awaited<ReturnType<typeof newTenant>>;
let acme: Tenant;
let globex: Tenant;
let viewerToken: string;
const BASE = "/cloud-integration/security/gateways";

const report = (thing: string, shadow: string, reported: Record<string, unknown>) => {
  const r = iot.shadows.update(thing, shadow, { state: { reported } });
  if (r.kind !== "accepted") throw new Error(`report rejected: ${r.error.message}`);
};

beforeAll(async () => {
  [acme, globex] = await Promise.all([newTenant("gw-acme"), newTenant("gw-globex")]);
  viewerToken = await viewer(acme);
});

afterAll(async () => {
  await iot.stop();
});

describe("POST /gateways", () => {
  it("registers a gateway: thing, real certificate and key, a policy confined to it, seeded shadows (201)", async () => {
    const res = await call("POST", BASE, {
      token: acme.token,
      body: { name: "Plant 1 edge", description: "Line 3 PLC gateway", location: "Building A" },
    });
    expect(res.status).toBe(201);
    const { gateway, certificate, connection } = res.body;
    expect(gateway).toMatchObject({
      id: expect.any(Number),
      name: "Plant 1 edge",
      description: "Line 3 PLC gateway",
      location: "Building A",
      thing_name: `warden_${acme.tenantId}_${gateway.id}`,
      last_seen: null,
      status: "offline",
    });
    // A real X.509 certificate for the thing, and the private key that belongs to it.
    const cert = new X509Certificate(certificate.certificate_pem);
    expect(cert.subject).toContain(`CN=${gateway.thing_name}`);
    const fromKey = createPublicKey(createPrivateKey(certificate.private_key)).export({ format: "der", type: "spki" });
    expect(Buffer.compare(fromKey, cert.publicKey.export({ format: "der", type: "spki" }))).toBe(0);
    expect(certificate.certificate_id).toMatch(/^[0-9a-f]{64}$/);
    expect(connection).toMatchObject({
      endpoint: iot.mqttUrl,
      client_id: gateway.thing_name,
      events_topic: `warden/${acme.tenantId}/${gateway.thing_name}/events`,
    });

    const recorded = localThings.get(gateway.thing_name);
    // The one static gateway policy (a template with thing policy variables), and the tenant as the
    // thing attribute that policy confines the events topic by.
    expect(recorded?.policy).toEqual(
      renderGatewayPolicy({ partition: "aws", region: "us-east-1", accountId: "000000000000" }),
    );
    expect(recorded?.policyName).toBe("warden-gateway");
    expect(recorded?.attributes.tenant).toBe(acme.tenantId);
    // Both named shadows ask for the tenant's current configuration right away.
    for (const shadow of ["firewall", "ssh"]) {
      const got = iot.shadows.get(gateway.thing_name, shadow);
      expect(got.kind).toBe("accepted");
      if (got.kind === "accepted") expect(got.document.state.desired?.config_version).toBe(0);
    }
    // The private key is never stored: no later read returns it.
    const again = await call("GET", `${BASE}/${gateway.id}`, { token: acme.token });
    expect(again.text).not.toContain("PRIVATE KEY");
  });

  it("refuses bad input naming the field, unknown fields, and a duplicate name (409)", async () => {
    const missing = await call("POST", BASE, { token: acme.token, body: { description: "no name" } });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toBe("VALIDATION_ERROR");
    expect(missing.body.message).toContain("body.name");
    const extra = await call("POST", BASE, { token: acme.token, body: { name: "x", tenant_id: globex.tenantId } });
    expect(extra.status).toBe(400);
    expect(extra.body.message).toContain("body.tenant_id");
    const control = await call("POST", BASE, { token: acme.token, body: { name: "bad\nname" } });
    expect(control.status).toBe(400);
    expect(control.body.message).toContain("body.name");

    expect((await call("POST", BASE, { token: acme.token, body: { name: "Twin" } })).status).toBe(201);
    const dup = await call("POST", BASE, { token: acme.token, body: { name: "twin" } });
    expect(dup.status).toBe(409);
    expect(dup.body.message).toContain("body.name");
  });

  it("answers 401 without a token and 403 for a viewer", async () => {
    expect((await call("POST", BASE, { body: { name: "anon" } })).status).toBe(401);
    const denied = await call("POST", BASE, { token: viewerToken, body: { name: "viewer's" } });
    expect(denied.status).toBe(403);
    expect(denied.body.message).toContain("gateways:admin");
    // A viewer sees the fleet it cannot change (gateways:read).
    expect((await call("GET", BASE, { token: viewerToken })).status).toBe(200);
  });
});

describe("GET /gateways and /gateways/{id}: sync state per named shadow", () => {
  let id: number;
  let thing: string;

  beforeAll(async () => {
    const res = await call("POST", BASE, { token: acme.token, body: { name: "Sync probe" } });
    id = res.body.gateway.id;
    thing = res.body.gateway.thing_name;
  });

  const syncOf = async (shadow: string) => {
    const res = await call("GET", `${BASE}/${id}`, { token: acme.token });
    expect(res.status).toBe(200);
    return res.body.sync[shadow];
  };

  it("is pending until the gateway reports", async () => {
    expect(await syncOf("firewall")).toEqual({
      desired_version: 0,
      reported_version: null,
      status: "pending",
      error: null,
      reported_at: null,
      // Registration writes the first desired itself; the change fan-out has not written it yet.
      last_write: null,
    });
  });

  it("is applied when the gateway reports the desired version", async () => {
    report(thing, "firewall", {
      config_version: 0,
      status: "applied",
      updated_at: new Date().toISOString(),
      applied_at: new Date().toISOString(),
    });
    expect(await syncOf("firewall")).toMatchObject({
      desired_version: 0,
      reported_version: 0,
      status: "applied",
      error: null,
    });
  });

  it("is failed, with the gateway's error, when it reports the desired version failed", async () => {
    iot.shadows.update(thing, "ssh", { state: { desired: { config_version: 3 } } });
    report(thing, "ssh", {
      config_version: 0,
      status: "failed",
      failed_version: 3,
      error: "sshd -t: Bad configuration option",
      updated_at: new Date().toISOString(),
    });
    expect(await syncOf("ssh")).toMatchObject({
      desired_version: 3,
      reported_version: 0,
      status: "failed",
      error: "sshd -t: Bad configuration option",
    });
  });

  it("is drifted when the versions agree but a reported field differs, or the gateway runs a version never asked for", async () => {
    report(thing, "firewall", {
      config_version: 0,
      status: "applied",
      enabled: false,
      updated_at: new Date().toISOString(),
    });
    expect(await syncOf("firewall")).toMatchObject({
      status: "drifted",
      error: "reported enabled differ from desired",
    });
    report(thing, "firewall", {
      config_version: 9,
      status: "applied",
      enabled: null,
      updated_at: new Date().toISOString(),
    });
    expect(await syncOf("firewall")).toMatchObject({ status: "drifted", reported_version: 9, desired_version: 0 });
  });

  it("lists the fleet with the same sync state, and last_seen from ingested metrics", async () => {
    const at = new Date().toISOString();
    const stored = await ingest({
      type: "metrics",
      timestamp: at,
      cpu: { cores: 4, usage_percent: 12.5, load_avg_1m: 0.2, load_avg_5m: 0.1, load_avg_15m: 0.1 },
      memory: { total_bytes: 1e9, free_bytes: 5e8, used_bytes: 5e8, usage_percent: 50 },
      uptime_seconds: 3600,
      tenant: acme.tenantId,
      thing,
    });
    expect(stored).toEqual({ stored: true, gatewayId: id });
    const res = await call("GET", BASE, { token: acme.token });
    expect(res.status).toBe(200);
    const mine = res.body.gateways.find((g: { id: number }) => g.id === id);
    expect(mine).toMatchObject({
      last_seen: at,
      status: "online",
      sync: { firewall: { status: "drifted" }, ssh: { status: "failed" } },
    });
    expect(mine.metrics.cpu.cores).toBe(4);
    expect(res.body.total).toBe(res.body.gateways.length);
  });

  it("answers 404 for another tenant's gateway and 400 for a non-numeric id", async () => {
    const other = await call("GET", `${BASE}/${id}`, { token: globex.token });
    expect(other.status).toBe(404);
    expect((await call("GET", BASE, { token: globex.token })).body.gateways).toEqual([]);
    const bad = await call("GET", `${BASE}/abc`, { token: acme.token });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain("path.gateway_id");
  });
});

describe("DELETE /gateways/{id}", () => {
  it("leaves another tenant's gateway alone (404), then removes certificate, thing, policy and shadows", async () => {
    const created = await call("POST", BASE, { token: acme.token, body: { name: "To retire" } });
    const { id, thing_name: thing } = created.body.gateway;

    const foreign = await call("DELETE", `${BASE}/${id}`, { token: globex.token });
    expect(foreign.status).toBe(404);
    expect(localThings.has(thing)).toBe(true);

    const res = await call("DELETE", `${BASE}/${id}`, { token: acme.token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: "deleted", gateway_id: id, thing_name: thing });
    expect(localThings.has(thing)).toBe(false);
    expect(iot.shadows.get(thing, "firewall").kind).toBe("rejected");
    expect(iot.shadows.get(thing, "ssh").kind).toBe("rejected");
    expect((await call("GET", `${BASE}/${id}`, { token: acme.token })).status).toBe(404);
    expect((await call("DELETE", `${BASE}/${id}`, { token: acme.token })).status).toBe(404);
  });

  it("drops events of a deregistered or foreign gateway at ingest", async () => {
    const created = await call("POST", BASE, { token: globex.token, body: { name: "Globex edge" } });
    const thing = created.body.gateway.thing_name;
    const metrics = {
      type: "metrics",
      timestamp: new Date().toISOString(),
      cpu: { cores: 1, usage_percent: 1, load_avg_1m: 0, load_avg_5m: 0, load_avg_15m: 0 },
      memory: { total_bytes: 1, free_bytes: 1, used_bytes: 0, usage_percent: 0 },
      uptime_seconds: 1,
    };
    // Published under acme's topic, the globex thing is not acme's.
    expect(await ingest({ ...metrics, tenant: acme.tenantId, thing })).toMatchObject({ stored: false });
    expect(await ingest({ ...metrics, tenant: globex.tenantId, thing: `warden_${globex.tenantId}_999` })).toMatchObject(
      { stored: false },
    );
    expect(await ingest({ ...metrics, tenant: globex.tenantId, thing })).toMatchObject({ stored: true });
    expect(await ingest({ type: "metrics", tenant: globex.tenantId, thing })).toMatchObject({ stored: false });
    expect(await ingest({ nothing: true })).toMatchObject({ stored: false });
    // A device cannot claim another tenant's gateway by naming it in its payload: tenant and thing
    // come from the topic alone, and an acme topic with no such acme gateway stores nothing.
    const { ruleEvent } = await import("#test/helpers/iot.ts");
    const spoof = ruleEvent(acme.tenantId, `warden_${acme.tenantId}_999`, {
      ...metrics,
      tenant: globex.tenantId,
      thing,
    });
    expect(await ingestHandler(spoof)).toMatchObject({ stored: false });
  });
});
