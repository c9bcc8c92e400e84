/**
 * Gateway "Get Roles" and custom roles (beyond spec): built-in roles with live user counts, the
 * permission catalogue, and tenant roles usable wherever a role is assigned.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { call, freshIp, newTenant } from "#test/helpers/api.ts";

type Tenant = Awaited<ReturnType<typeof newTenant>>;
const R = "/cloud-integration/security/roles";
const PW = "Sturdy#Harbor-2041";

let acme: Tenant;
let globex: Tenant;
let viewerToken: string;

beforeAll(async () => {
  [acme, globex] = await Promise.all([newTenant("roles"), newTenant("roles-other")]);
  const reg = await call("POST", "/api/v1/auth/register", {
    token: acme.token,
    body: { email: "viewer@roles.test", username: "roles-viewer", password: PW },
  });
  expect(reg.status).toBe(201);
  viewerToken = (
    await call("POST", "/api/auth/login", { body: { username: "roles-viewer", password: PW }, ip: freshIp() })
  ).body.data.token;
});

describe("GET /roles", () => {
  it("answers the spec example's roles with live user counts, Admin's permission groups and the categories", async () => {
    const res = await call("GET", R, { token: acme.token });
    expect(res.status).toBe(200);
    const byName = Object.fromEntries(res.body.roles.map((r: { name: string }) => [r.name, r]));
    expect(byName.Admin).toMatchObject({
      name: "Admin",
      description: expect.stringContaining("Full system access"),
      permissions: ["*"],
      user_count: 1,
      default: false,
      protected: true,
      permission_groups: {
        users: ["users:read", "users:write", "users:admin"],
        security: ["security:read", "security:write", "security:admin", "security:reset"],
        audit: ["audit:read", "audit:admin"],
        gateways: ["gateways:read", "gateways:admin"],
        firewall: ["firewall:read", "firewall:write"],
        ssh: ["ssh:read", "ssh:write"],
        certificates: ["certificates:read", "certificates:write"],
        compliance: ["compliance:read", "compliance:write", "compliance:admin"],
        incidents: ["incidents:read", "incidents:write"],
        billing: ["billing:read", "billing:admin"],
        metrics: ["metrics:read"],
        cloud: ["cloud:read", "cloud:write"],
        insights: ["insights:read", "insights:write"],
        backup: ["backup:create", "backup:restore"],
      },
    });
    // Each built-in role grants what the routes check (the catalogue), nothing no route asks for.
    expect(byName.Engineer).toMatchObject({
      permissions: [
        "gateways:admin",
        "firewall:write",
        "ssh:write",
        "security:read",
        "security:write",
        "audit:read",
        "certificates:write",
        "compliance:write",
        "incidents:write",
        "metrics:read",
        "cloud:write",
        "insights:write",
      ],
      user_count: 0,
      default: false,
      protected: false,
    });
    expect(byName.Operator.permissions).toEqual([
      "gateways:read",
      "firewall:write",
      "ssh:write",
      "security:read",
      "audit:read",
      "certificates:read",
      "compliance:read",
      "incidents:write",
      "metrics:read",
      "cloud:read",
      "insights:read",
    ]);
    expect(byName.Technician.permissions).toEqual(["gateways:read", "firewall:read", "ssh:write", "metrics:read"]);
    expect(byName.Viewer).toMatchObject({
      permissions: [
        "gateways:read",
        "firewall:read",
        "ssh:read",
        "certificates:read",
        "compliance:read",
        "incidents:read",
        "metrics:read",
        "cloud:read",
        "insights:read",
      ],
      user_count: 1,
      default: true,
      protected: false,
    });
    expect(byName.Viewer).not.toHaveProperty("permission_groups");
    expect(res.body.permission_categories).toEqual(byName.Admin.permission_groups);
  });

  it("lets an operator see and operate the fleet, and nothing of users or security settings", async () => {
    const reg = await call("POST", "/api/v1/auth/register", {
      token: acme.token,
      body: { email: "operator@roles.test", username: "roles-operator", password: PW, role: "operator" },
    });
    expect(reg.status).toBe(201);
    const token = (
      await call("POST", "/api/auth/login", { body: { username: "roles-operator", password: PW }, ip: freshIp() })
    ).body.data.token;
    const S = "/cloud-integration/security";
    for (const path of [
      "/gateways",
      "/firewall/status",
      "/firewall/rules",
      "/ssh/settings",
      "/status",
      "/audit/logs",
    ]) {
      expect((await call("GET", `${S}${path}`, { token })).status, path).toBe(200);
    }
    const rule = { name: "Block Telnet", chain: "INPUT", port: "23", protocol: "TCP", action: "DROP", priority: 50 };
    expect((await call("POST", `${S}/firewall/rules/add`, { token, body: rule })).status).toBe(201);
    expect((await call("GET", `${S}/users`, { token })).status).toBe(403);
    expect((await call("POST", `${S}/authentication/update`, { token, body: {} })).status).toBe(403);
  });

  it("answers 401 without a token and 403 to a viewer (no users:read)", async () => {
    expect((await call("GET", R)).status).toBe(401);
    expect((await call("GET", R, { token: viewerToken })).status).toBe(403);
  });
});

describe("POST /roles (custom roles)", () => {
  it("creates a tenant role that create, update and register accept, counted in GET /roles", async () => {
    const res = await call("POST", R, {
      token: acme.token,
      body: { name: "auditor", description: "Reads the audit trail", permissions: ["audit:read", "metrics:read"] },
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      status: "created",
      role: {
        id: "auditor",
        name: "auditor",
        description: "Reads the audit trail",
        permissions: ["audit:read", "metrics:read"],
        user_count: 0,
        default: false,
        protected: false,
        custom: true,
      },
      message: "Role created successfully",
    });

    const created = await call("POST", "/cloud-integration/security/users/create", {
      token: acme.token,
      body: { username: "aud1", email: "aud1@roles.test", password: PW, role: "auditor" },
    });
    expect(created.status).toBe(201);
    expect(created.body.user).toMatchObject({ role: "auditor", permissions: ["audit:read", "metrics:read"] });
    const registered = await call("POST", "/api/v1/auth/register", {
      token: acme.token,
      body: { email: "aud2@roles.test", username: "aud2", password: PW, role: "auditor" },
    });
    expect(registered.status).toBe(201);
    expect(registered.body.role).toBe("auditor");
    const updated = await call("POST", "/cloud-integration/security/users/update", {
      token: acme.token,
      body: { user_id: registered.body.id, role: "viewer" },
    });
    expect(updated.body.changes.role).toEqual({ old: "auditor", new: "viewer" });

    const list = await call("GET", R, { token: acme.token });
    expect(list.body.roles.find((r: { name: string }) => r.name === "auditor")).toMatchObject({
      user_count: 1,
      custom: true,
    });
    // Another tenant neither sees nor can use it.
    expect(
      (await call("GET", R, { token: globex.token })).body.roles.map((r: { name: string }) => r.name),
    ).not.toContain("auditor");
    const foreign = await call("POST", "/cloud-integration/security/users/create", {
      token: globex.token,
      body: { username: "aud3", email: "aud3@roles.test", password: PW, role: "auditor" },
    });
    expect(foreign.status).toBe(400);
    expect(foreign.body.message).toContain("body.role");
  });

  it("refuses a built-in or taken name (409), bad names and permissions (400 naming the field)", async () => {
    expect((await call("POST", R, { token: acme.token, body: { name: "admin", permissions: ["*"] } })).status).toBe(
      409,
    );
    await call("POST", R, { token: acme.token, body: { name: "dup-role", permissions: ["metrics:read"] } });
    expect(
      (await call("POST", R, { token: acme.token, body: { name: "dup-role", permissions: ["metrics:read"] } })).status,
    ).toBe(409);
    const badName = await call("POST", R, {
      token: acme.token,
      body: { name: "Bad Name", permissions: ["metrics:read"] },
    });
    expect(badName.status).toBe(400);
    expect(badName.body.message).toContain("body.name");
    const badPerm = await call("POST", R, {
      token: acme.token,
      body: { name: "bad-perm", permissions: ["metrics:read", "read everything"] },
    });
    expect(badPerm.body.message).toContain("body.permissions.1");
    const empty = await call("POST", R, { token: acme.token, body: { name: "empty", permissions: [] } });
    expect(empty.body.message).toContain("body.permissions");
  });

  it("answers 401 without a token and 403 to a caller without users:admin, or granting what they lack", async () => {
    expect((await call("POST", R, { body: { name: "x-role", permissions: ["metrics:read"] } })).status).toBe(401);
    expect(
      (await call("POST", R, { token: viewerToken, body: { name: "x-role", permissions: ["metrics:read"] } })).status,
    ).toBe(403);
    await call("POST", R, {
      token: acme.token,
      body: { name: "role-admin", permissions: ["users:admin", "metrics:read"] },
    });
    await call("POST", "/cloud-integration/security/users/create", {
      token: acme.token,
      body: { username: "roleadmin1", email: "ra1@roles.test", password: PW, role: "role-admin" },
    });
    const token = (
      await call("POST", "/api/auth/login", { body: { username: "roleadmin1", password: PW }, ip: freshIp() })
    ).body.data.token;
    const escalate = await call("POST", R, { token, body: { name: "escalated", permissions: ["security:admin"] } });
    expect(escalate.status).toBe(403);
    expect((await call("POST", R, { token, body: { name: "within", permissions: ["users:read"] } })).status).toBe(201);
  });
});
