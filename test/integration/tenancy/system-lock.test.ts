/**
 * The emergency system lock as the endpoint kit enforces it: while a tenant's lock is active,
 * its users' tokens (and, for the "api" component, its API keys) get 423 everywhere except the
 * routes that must keep working (sign-out); the lock ends by itself when its time passes.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { readAudit } from "#shared/audit/db/trail.ts";
import { getItem, updateVersioned } from "#shared/table/repo.ts";
import { tenantKeys } from "#shared/tenancy/db/tenants.ts";
import { call, freshIp, newTenant } from "#test/helpers/api.ts";

type Tenant = Awaited<ReturnType<typeof newTenant>>;
let locked: Tenant;
let other: Tenant;

async function setLock(tenantId: string, minutes: number, components: string[]) {
  const item = await getItem(tenantKeys.tenant(tenantId), true);
  await updateVersioned(tenantKeys.tenant(tenantId), Number(item?.version), {
    lock: {
      lockId: "LOCK-test",
      until: new Date(Date.now() + minutes * 60_000).toISOString(),
      reason: "test",
      components,
    },
  });
}

beforeAll(async () => {
  [locked, other] = await Promise.all([newTenant("locked"), newTenant("unlocked")]);
});

describe("system lock", () => {
  it("answers 423 to the locked tenant's tokens on every surface, and leaves other tenants alone", async () => {
    await setLock(locked.tenantId, 10, ["users", "api", "ssh"]);
    const cs = await call("GET", "/api/v1/auth/me", { token: locked.token });
    expect(cs.status).toBe(423);
    expect(cs.body).toEqual({ detail: "System access is locked" });
    const gw = await call("GET", "/cloud-integration/security/users", { token: locked.token });
    expect(gw.status).toBe(423);
    expect(gw.body.error).toBe("SYSTEM_LOCKED");
    expect((await call("GET", "/api/v1/auth/me", { token: other.token })).status).toBe(200);
  });

  it("still lets a locked tenant's user sign out", async () => {
    const login = await call("POST", "/api/auth/login", {
      body: { username: locked.username, password: locked.password },
      ip: freshIp(),
    });
    const out = await call("POST", "/api/auth/logout", { token: login.body.data.token });
    expect(out.status).toBe(200);
  });

  it("ends by itself when its time has passed", async () => {
    await setLock(locked.tenantId, -1, ["users", "api", "ssh"]);
    expect((await call("GET", "/api/v1/auth/me", { token: locked.token })).status).toBe(200);
  });

  it("writes a signed-in caller's refused read (403) to the audit trail", async () => {
    const viewer = await call("POST", "/api/v1/auth/register", {
      token: other.token,
      body: { email: "peek@other.test", username: `peek-${other.tenantId}`, password: "Viewer-Passw0rd!" },
    });
    const login = await call("POST", "/api/v1/auth/token", {
      body: { username: viewer.body.username, password: "Viewer-Passw0rd!" },
      ip: freshIp(),
    });
    expect((await call("GET", "/cloud-integration/security/users", { token: login.body.access_token })).status).toBe(
      403,
    );
    const since = new Date(Date.now() - 60_000);
    const otherTrail = await readAudit(other.tenantId, since, new Date());
    expect(otherTrail.find((r) => r.event_type === "access_denied")).toMatchObject({
      status: "failed",
      resource: "/cloud-integration/security/users",
      user: viewer.body.username,
      details: { status: 403 },
    });
  });

  it("applies to API keys only when the api component is locked", async () => {
    const key = await call("POST", "/cloud-integration/security/api-keys/generate", {
      token: locked.token,
      body: { name: "ops script", scope: ["security:read"] },
    });
    expect(key.status).toBe(201);
    const apiKey = key.body.api_key.full_key as string;
    await setLock(locked.tenantId, 10, ["users"]);
    expect((await call("GET", "/api/v1/auth/me", { apiKey })).status).toBe(200);
    expect((await call("GET", "/api/v1/auth/me", { token: locked.token })).status).toBe(423);
    await setLock(locked.tenantId, 10, ["api"]);
    expect((await call("GET", "/api/v1/auth/me", { apiKey })).status).toBe(423);
    await setLock(locked.tenantId, -1, ["api"]);
  });
});
