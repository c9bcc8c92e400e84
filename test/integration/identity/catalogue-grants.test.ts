/**
 * Custom roles and API-key scopes hold only permissions of the catalogue (shared/auth/permissions.ts):
 * `*`, `resource:*` of a catalogued resource, or a catalogued `resource:action`. Anything else is
 * refused with a 400 naming every unknown permission, and nothing is written.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { call, newTenant } from "#test/helpers/api.ts";

type Tenant = Awaited<ReturnType<typeof newTenant>>;
const ROLES = "/cloud-integration/security/roles";
const KEYS = "/cloud-integration/security/api-keys";

let acme: Tenant;

beforeAll(async () => {
  acme = await newTenant("catalogue-grants");
});

describe("custom roles", () => {
  it("refuses permissions outside the catalogue, naming each, and creates nothing", async () => {
    const res = await call("POST", ROLES, {
      token: acme.token,
      body: { name: "dashboards", permissions: ["metrics:read", "dashboard:read", "gateways:delete", "alerts:*"] },
    });

    expect(res.status).toBe(400);
    expect(res.body.message).toContain("'dashboard:read'");
    expect(res.body.message).toContain("'gateways:delete'");
    expect(res.body.message).toContain("'alerts:*'");
    expect(res.body.message).not.toContain("'metrics:read'");
    const listed = await call("GET", ROLES, { token: acme.token });
    expect(listed.body.roles.map((r: { name: string }) => r.name)).not.toContain("dashboards");
  });

  it("accepts catalogued permissions, a whole catalogued resource and `*`", async () => {
    const res = await call("POST", ROLES, {
      token: acme.token,
      body: { name: "fleet-lead", permissions: ["gateways:admin", "firewall:*", "metrics:read"] },
    });
    expect(res.status).toBe(201);
    const all = await call("POST", ROLES, { token: acme.token, body: { name: "root-like", permissions: ["*"] } });
    expect(all.status).toBe(201);
  });
});

describe("API-key scopes", () => {
  it("refuses scopes outside the catalogue on generate, naming them, and issues no key", async () => {
    const res = await call("POST", `${KEYS}/generate`, {
      token: acme.token,
      body: { name: "uncatalogued", scope: ["gateways:read", "events:read", "alerts:write"] },
    });

    expect(res.status).toBe(400);
    expect(res.body.message).toContain("'events:read'");
    expect(res.body.message).toContain("'alerts:write'");
    expect(res.body.message).not.toContain("'gateways:read'");
    const listed = await call("GET", KEYS, { token: acme.token });
    expect(listed.body.api_keys.map((k: { name: string }) => k.name)).not.toContain("uncatalogued");
  });

  it("refuses an update that adds an unknown scope and leaves the key's scopes as they were", async () => {
    const created = await call("POST", `${KEYS}/generate`, {
      token: acme.token,
      body: { name: "reader", scope: ["gateways:read"] },
    });
    expect(created.status).toBe(201);
    const id = created.body.api_key.id;

    const res = await call("POST", `${KEYS}/update`, {
      token: acme.token,
      body: { key_id: id, scope: ["gateways:read", "telemetry:read"] },
    });

    expect(res.status).toBe(400);
    expect(res.body.message).toContain("'telemetry:read'");
    const listed = await call("GET", KEYS, { token: acme.token });
    const key = listed.body.api_keys.find((k: { id: number }) => k.id === id);
    expect(key.scope).toEqual(["gateways:read"]);
  });
});
