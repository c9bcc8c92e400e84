/**
 * POST /settings/save-all (gateway spec "Save All Security Settings"): the spec example's sections
 * saved through their own domains (visible in the settings GET routes), every section validated
 * before any is saved, the certificates section saved as POST /certificates/settings saves it, 401 and 403.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalIot, usePlatformWithLocalIot } from "#infra/local/iot/index.ts";

const iot = await startLocalIot();
// The shared code reads its environment once: point it at the local IoT Core before importing it.
await usePlatformWithLocalIot(iot);
const { call, freshIp, newTenant } = await import("#test/helpers/api.ts");

type Tenant = Awaited<ReturnType<typeof newTenant>>;
const BASE = "/cloud-integration/security";
const SAVE = `${BASE}/settings/save-all`;

const EXAMPLE = {
  authentication: { password_policy: { min_length: 12, expiry_days: 60 }, two_factor: { mode: "required" } },
  firewall: { enabled: true, default_policy: "DROP" },
  ssh: { enabled: true, port: 2222 },
  certificates: { auto_renew: true },
  audit: { retention_days: 90 },
};
const { certificates: _certificates, ...SUPPORTED } = EXAMPLE;

let acme: Tenant;
let viewerToken: string;

beforeAll(async () => {
  acme = await newTenant("save-all-acme");
  const username = `v-${acme.tenantId}`;
  const reg = await call("POST", "/api/v1/auth/register", {
    token: acme.token,
    body: { email: `${username}@acme.test`, username, password: "Secure-Passw0rd!" },
  });
  expect(reg.status).toBeLessThan(300);
  const login = await call("POST", "/api/v1/auth/token", {
    body: { username, password: "Secure-Passw0rd!" },
    ip: freshIp(),
  });
  viewerToken = login.body.access_token;
}, 30_000);

afterAll(async () => {
  await iot.stop();
});

async function snapshot(t: Tenant) {
  const [auth, fw, ssh, stats] = await Promise.all([
    call("GET", `${BASE}/authentication/settings`, { token: t.token }),
    call("GET", `${BASE}/firewall/status`, { token: t.token }),
    call("GET", `${BASE}/ssh/settings`, { token: t.token }),
    call("GET", `${BASE}/audit/stats`, { token: t.token }),
  ]);
  return { auth: auth.body, fw: fw.body, ssh: ssh.body, retention: stats.body.compliance?.retention_days };
}

describe("POST /settings/save-all", () => {
  it("saves the certificates section through the certificates area, as POST /certificates/settings does", async () => {
    const t = await newTenant("save-all-certs");
    const gw = await call("POST", `${BASE}/gateways`, { token: t.token, body: { name: "edge" } });
    expect(gw.status).toBe(201);

    const res = await call("POST", SAVE, { token: t.token, body: { certificates: EXAMPLE.certificates } });
    const status = await call("GET", `${BASE}/certificates/status`, { token: t.token });

    expect(res.status).toBe(200);
    expect(res.body.changes).toEqual({ certificates: { auto_renew: { old: false, new: true } } });
    expect(status.body.settings.auto_renew).toBe(true);
  });

  it("refuses a certificates section the certificates route would refuse, naming the field, and saves nothing", async () => {
    const t = await newTenant("save-all-certs-bad");
    await call("POST", `${BASE}/gateways`, { token: t.token, body: { name: "edge" } });
    const before = await snapshot(t);

    const res = await call("POST", SAVE, {
      token: t.token,
      body: { ...SUPPORTED, certificates: { acme_server: "http://ca.example.com/directory" } },
    });

    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/^body\.certificates\.acme_server: /);
    expect(await snapshot(t)).toEqual(before);
  });

  it("saves the spec example's sections and answers every response field", async () => {
    const res = await call("POST", SAVE, {
      token: acme.token,
      body: { ...SUPPORTED, audit: { retention_days: 120 } },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      status: "saved",
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      changes: {
        authentication: {
          "password_policy.min_length": { old: 8, new: 12 },
          "password_policy.expiry_days": { old: 90, new: 60 },
          "two_factor.mode": { old: "optional", new: "required" },
        },
        firewall: { default_policy: { old: "ACCEPT", new: "DROP" } },
        ssh: { port: { old: 22, new: 2222 } },
        audit: { retention_days: { old: 90, new: 120 } },
      },
      restart_required: true,
      affected_services: ["firewall", "ssh"],
    });

    // The changes reach each area's own read routes.
    const after = await snapshot(acme);
    expect(after.auth.password_policy).toMatchObject({ min_length: 12, expiry_days: 60 });
    expect(after.auth.two_factor).toMatchObject({ mode: "required" });
    expect(after.fw).toMatchObject({ enabled: true, default_policy: "DROP" });
    expect(after.ssh).toMatchObject({ enabled: true, port: 2222 });
    expect(after.retention).toBe(120);

    // Saving the same again changes nothing and needs no restart.
    const again = await call("POST", SAVE, {
      token: acme.token,
      body: { ...SUPPORTED, audit: { retention_days: 120 } },
    });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ status: "saved", changes: {}, restart_required: false, affected_services: [] });
  });

  it.each([
    ["firewall", { ...SUPPORTED, firewall: { default_policy: "MAYBE" } }, "body.firewall.default_policy"],
    ["ssh", { ...SUPPORTED, ssh: { port: 70000 } }, "body.ssh.port"],
    ["audit", { ...SUPPORTED, audit: { retention_days: 0 } }, "body.audit.retention_days"],
    [
      "authentication",
      { ...SUPPORTED, authentication: { password_policy: { min_length: 2 } } },
      "body.authentication.password_policy.min_length",
    ],
    ["an unknown field", { ...SUPPORTED, firewall: { enabled: true, colour: "red" } }, "body.firewall.colour"],
    ["an unknown section", { ...SUPPORTED, vpn: { enabled: true } }, "body.vpn"],
    ["gateway_id (tenant-wide only)", { ...SUPPORTED, ssh: { port: 2222, gateway_id: 1 } }, "body.ssh.gateway_id"],
  ])("a bad %s saves no section at all (400 naming the field)", async (_what, body, field) => {
    const t = await newTenant("save-all-bad");
    const before = await snapshot(t);
    const res = await call("POST", SAVE, { token: t.token, body });
    expect(res.status).toBe(400);
    expect(res.body.message).toContain(field);
    expect(await snapshot(t)).toEqual(before);
  });

  it("refuses contradicting SSH fields before saving the other sections", async () => {
    const t = await newTenant("save-all-ssh");
    const before = await snapshot(t);
    const res = await call("POST", SAVE, {
      token: t.token,
      body: { ...SUPPORTED, ssh: { login_method: "key", password_authentication: true } },
    });
    expect(res.status).toBe(400);
    expect(res.body.message).toContain("body.ssh.password_authentication");
    expect(await snapshot(t)).toEqual(before);
  });

  it("refuses an inconsistent authentication policy before saving the firewall or SSH sections", async () => {
    const t = await newTenant("save-all-auth");
    const before = await snapshot(t);
    const res = await call("POST", SAVE, {
      token: t.token,
      body: { ...SUPPORTED, authentication: { password_policy: { min_length: 40, max_length: 20 } } },
    });
    expect(res.status).toBe(400);
    expect(res.body.message).toContain("body.authentication.password_policy");
    expect(await snapshot(t)).toEqual(before);
  });

  it("names a section's own cross-field refusal within the section, with nothing saved", async () => {
    const t = await newTenant("save-all-burst");
    const before = await snapshot(t);
    const res = await call("POST", SAVE, {
      token: t.token,
      body: { ...SUPPORTED, firewall: { rate_limiting: { requests_per_second: 500, burst_size: 10 } } },
    });
    expect(res.status).toBe(400);
    expect(res.body.message).toContain("body.firewall.rate_limiting.burst_size");
    expect(res.body.details[0].field).toBe("body.firewall.rate_limiting.burst_size");
    expect(await snapshot(t)).toEqual(before);
  });

  it("refuses an empty body", async () => {
    const res = await call("POST", SAVE, { token: acme.token, body: {} });
    expect(res.status).toBe(400);
  });

  it("answers 401 without a token and 403 for a viewer", async () => {
    expect((await call("POST", SAVE, { body: SUPPORTED })).status).toBe(401);
    const res = await call("POST", SAVE, { token: viewerToken, body: { audit: { retention_days: 30 } } });
    expect(res.status).toBe(403);
    expect((await snapshot(acme)).retention).not.toBe(30);
  });
});
