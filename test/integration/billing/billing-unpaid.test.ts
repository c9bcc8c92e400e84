/**
 * A deployment without a payment provider (no STRIPE_SECRET_KEY) and without the operator's
 * permission for unpaid plan changes — what a `cdk deploy` gets by default — must not let a tenant
 * admin give their organization a paid plan for free. Downgrades stay open.
 */
import { describe, expect, it, vi } from "vitest";

vi.hoisted(() => {
  delete process.env.WARDEN_SIGNUP_PLAN;
  delete process.env.STRIPE_SECRET_KEY;
  delete process.env.STRIPE_WEBHOOK_SECRET;
  process.env.WARDEN_PLAN_CHANGES_WITHOUT_PAYMENT = "refuse";
});

const { call, newTenant } = await import("#test/helpers/api.ts");
const { getTenant, setTenantPlan } = await import("#shared/tenancy/tenants.ts");

describe("plan changes without a payment provider (deployment default)", () => {
  it("refuses an upgrade with 409 naming what to configure, and leaves the plan as it was", async () => {
    const t = await newTenant("bu-upgrade");
    const res = await call("POST", "/api/billing/upgrade", { token: t.token, body: { plan_id: "enterprise" } });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ status: "error" });
    expect(JSON.stringify(res.body.error)).toMatch(/STRIPE_SECRET_KEY/);
    expect((await getTenant(t.tenantId))?.plan).toBe("free");
  });

  it("still lets a tenant move down to a smaller plan", async () => {
    const t = await newTenant("bu-downgrade");
    await setTenantPlan(t.tenantId, "pro");
    const res = await call("POST", "/api/billing/upgrade", { token: t.token, body: { plan_id: "free" } });
    expect(res.status).toBe(200);
    expect((await getTenant(t.tenantId))?.plan).toBe("free");
  });

  it("answers a webhook delivery 503 (not configured) without a webhook secret, not a 400 blaming Stripe", async () => {
    const res = await call("POST", "/api/billing/webhook/stripe", {
      rawBody: JSON.stringify({ id: "evt_unconfigured", type: "invoice.paid", data: { object: {} } }),
      headers: { "stripe-signature": "t=1,v1=00", "content-type": "application/json" },
    });
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ status: "error", error: { code: "SERVICE_UNAVAILABLE" } });
  });
});
