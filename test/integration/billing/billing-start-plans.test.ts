/**
 * The plan an organization starts on: signup answers the plan the tenant really got
 * (WARDEN_SIGNUP_PLAN, `free` unless the deployment says otherwise), and local mode's bootstrap
 * tenant `default` starts on WARDEN_DEFAULT_PLAN (`enterprise` unless set).
 */
import { afterAll, describe, expect, it, vi } from "vitest";

vi.hoisted(() => {
  process.env.WARDEN_SIGNUP_PLAN = "pro";
  delete process.env.WARDEN_DEFAULT_PLAN;
});

const { call, freshIp } = await import("#test/helpers/api.ts");
const { getTenant } = await import("#shared/tenancy/tenants.ts");
const { resetBillingSettings } = await import("#shared/billing/settings.ts");
const { bootstrapDefaultTenant } = await import("#infra/local/bootstrap.ts");

afterAll(() => {
  delete process.env.WARDEN_SIGNUP_PLAN;
  delete process.env.WARDEN_DEFAULT_PLAN;
  resetBillingSettings();
});

describe("POST /api/auth/signup", () => {
  it("answers the plan the new organization is on, not a fixed 'free'", async () => {
    const res = await call("POST", "/api/auth/signup", {
      body: {
        organization: "Start Plans Ltd",
        username: "sp-admin",
        email: "sp@example.com",
        password: "Str0ng!Passphrase#2026",
      },
      ip: freshIp(),
    });

    expect(res.status).toBe(201);
    const tenantId = res.body.data.organization.id;
    expect((await getTenant(tenantId))?.plan).toBe("pro");
    expect(res.body.data.organization).toEqual({ id: tenantId, plan: "pro" });
  });
});

describe("local mode's bootstrap tenant", () => {
  it("starts on WARDEN_DEFAULT_PLAN, and an explicitly set plan is applied on the next start", async () => {
    resetBillingSettings();
    const first = await bootstrapDefaultTenant({ username: "admin", password: "Bootstrap#Passphrase-2026" });
    // Created now on the default plan (enterprise), or — if an earlier run created it — left as it is.
    if (first.created) expect((await getTenant("default"))?.plan).toBe("enterprise");

    process.env.WARDEN_DEFAULT_PLAN = "free";
    resetBillingSettings();
    const second = await bootstrapDefaultTenant({ username: "admin", password: "Bootstrap#Passphrase-2026" });

    expect(second.created).toBe(false);
    expect((await getTenant("default"))?.plan).toBe("free");

    process.env.WARDEN_DEFAULT_PLAN = "enterprise";
    resetBillingSettings();
    await bootstrapDefaultTenant({ username: "admin" });
    expect((await getTenant("default"))?.plan).toBe("enterprise");
  });
});
