/**
 * Billing with Stripe: the real `stripe` SDK against a local server answering Stripe's published
 * fixture objects (test/helpers/stripe-server.ts; Stripe's servers cannot run here), and webhook
 * deliveries signed with the SDK's `generateTestHeaderString` and verified by the route with
 * `constructEvent` over the raw body.
 */
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { STRIPE_FIXTURES } from "#test/helpers/stripe-fixtures.ts";
import { type StripeServer, startStripeServer } from "#test/helpers/stripe-server.ts";

const WEBHOOK_SECRET = "whsec_test_4f0b5a0c2d1e4c5f9a8b7c6d5e4f3a2b";
vi.hoisted(() => {
  delete process.env.WARDEN_SIGNUP_PLAN;
  process.env.STRIPE_SECRET_KEY = "sk_test_local_fixture_server";
  process.env.STRIPE_WEBHOOK_SECRET = "whsec_test_4f0b5a0c2d1e4c5f9a8b7c6d5e4f3a2b";
});

let stripe: StripeServer;
const { call, newTenant } = await import("#test/helpers/api.ts");
const { getTenant, setTenantPlan } = await import("#shared/tenancy/tenants.ts");
const { billingAccount } = await import("#shared/billing/subscriptions.ts");
const { UpgradeView, CheckoutView, PortalView, WebhookView, CurrentPlanView } = await import(
  "#shared/billing/views.ts"
);
const { readAudit } = await import("#shared/audit/trail.ts");

type Tenant = Awaited<ReturnType<typeof newTenant>>;

beforeAll(async () => {
  stripe = await startStripeServer();
  // Read by billing on first use, after the server is listening.
  process.env.STRIPE_API_URL = stripe.url;
});
afterAll(async () => {
  await stripe.stop();
});

const upgrade = (t: Tenant, body: Record<string, unknown>) =>
  call("POST", "/api/billing/upgrade", { token: t.token, body });

/** A Stripe event around `object` (Stripe's event fixture), signed as Stripe signs deliveries. */
function delivery(type: string, object: unknown, opts: { created?: number; id?: string; signedAt?: number } = {}) {
  const event = {
    ...STRIPE_FIXTURES.event,
    id: opts.id ?? `evt_test_${Math.random().toString(36).slice(2, 12)}`,
    type,
    created: opts.created ?? Math.floor(Date.now() / 1000),
    data: { object },
  };
  const payload = JSON.stringify(event);
  const header = Stripe.webhooks.generateTestHeaderString({
    payload,
    secret: WEBHOOK_SECRET,
    ...(opts.signedAt ? { timestamp: opts.signedAt } : {}),
  });
  return { event, payload, header };
}

const send = (d: { payload: string; header: string }) =>
  call("POST", "/api/billing/webhook/stripe", {
    rawBody: d.payload,
    headers: { "stripe-signature": d.header, "content-type": "application/json" },
  });

function subscription(customer: string, price: string, status: string, id = "sub_webhook_1") {
  const sub = JSON.parse(JSON.stringify(STRIPE_FIXTURES.subscription));
  sub.id = id;
  sub.customer = customer;
  sub.status = status;
  sub.trial_end = null;
  sub.items.data[0].price.id = price;
  sub.items.data[0].id = `si_${id}`;
  return sub;
}

describe("POST /api/billing/upgrade with Stripe", () => {
  let t: Tenant;
  beforeAll(async () => {
    t = await newTenant("st-upgrade");
  });

  it("creates the customer once, attaches the payment method, subscribes, and applies the plan Stripe confirmed", async () => {
    const res = await upgrade(t, { plan_id: "pro", payment_method: "pm_card_visa" });
    expect(res.status).toBe(200);
    UpgradeView.parse(res.body.data);
    expect(res.body.data).toMatchObject({
      message: "Plan upgraded successfully",
      new_plan: { id: "pro", name: "Pro", price: 99, device_limit: 50 },
      previous_plan: { id: "free" },
      status: "active",
      client_secret: null,
    });
    expect(Date.parse(res.body.data.effective_date)).not.toBeNaN();
    expect((await getTenant(t.tenantId))?.plan).toBe("pro");

    const customers = stripe.requests.filter((r) => r.path === "/v1/customers");
    expect(customers).toHaveLength(1);
    expect(customers[0]?.idempotencyKey).toBe(`warden-customer-${t.tenantId}`);
    expect(customers[0]?.params["metadata[tenant_id]"]).toBe(t.tenantId);
    expect(customers[0]?.authorization).toBe("Bearer sk_test_local_fixture_server");
    expect(stripe.requests.some((r) => r.path === "/v1/payment_methods/pm_card_visa/attach")).toBe(true);
    const created = stripe.requests.filter((r) => r.method === "POST" && r.path === "/v1/subscriptions");
    expect(created).toHaveLength(1);
    expect(created[0]?.params).toMatchObject({
      "items[0][price]": "price_warden_pro",
      payment_behavior: "allow_incomplete",
    });
    expect(created[0]?.idempotencyKey).toMatch(/^warden-/);
  });

  it("swaps the subscription's price with proration on a further upgrade (no second customer or subscription)", async () => {
    const res = await upgrade(t, { plan_id: "enterprise" });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ status: "active", new_plan: { id: "enterprise" } });
    const acct = await billingAccount(t.tenantId);
    const swaps = stripe.requests.filter(
      (r) => r.method === "POST" && r.path === `/v1/subscriptions/${acct?.subscriptionId}`,
    );
    expect(swaps).toHaveLength(1);
    expect(swaps[0]?.params).toMatchObject({
      "items[0][id]": acct?.subscriptionItemId,
      "items[0][price]": "price_warden_enterprise",
      proration_behavior: "create_prorations",
    });
    expect(stripe.requests.filter((r) => r.path === "/v1/customers")).toHaveLength(1);
    expect((await getTenant(t.tenantId))?.plan).toBe("enterprise");
  });

  it("surfaces 3-D Secure: requires_action with the client secret, the plan pending until a verified event", async () => {
    const u = await newTenant("st-3ds");
    stripe.nextSubscriptionStatus = "incomplete";
    const res = await upgrade(u, { plan_id: "pro", payment_method: "pm_card_authenticationRequired" });
    stripe.nextSubscriptionStatus = "active";
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ status: "requires_action", effective_date: null });
    expect(res.body.data.client_secret).toMatch(/^pi_3DS_secret_/);
    expect((await getTenant(u.tenantId))?.plan).toBe("free");
    const current = await call("GET", "/api/billing/current-plan", { token: u.token });
    CurrentPlanView.parse(current.body.data);
    expect(current.body.data.subscription).toMatchObject({
      status: "incomplete",
      pending_plan: "pro",
      stripe_configured: true,
    });

    const acct = await billingAccount(u.tenantId);
    const confirmed = delivery(
      "customer.subscription.updated",
      subscription(acct?.customerId ?? "", "price_warden_pro", "active", acct?.subscriptionId),
    );
    const hook = await send(confirmed);
    expect(hook.status).toBe(200);
    expect(hook.body.data).toMatchObject({ received: true, result: "handled" });
    expect((await getTenant(u.tenantId))?.plan).toBe("pro");
    expect((await billingAccount(u.tenantId))?.pendingPlan).toBeNull();
  });

  it("answers a Checkout Session URL and a Customer Portal URL for the tenant's customer", async () => {
    const co = await call("POST", "/api/billing/checkout", { token: t.token, body: { plan_id: "pro" } });
    expect(co.status).toBe(201);
    CheckoutView.parse(co.body.data);
    expect(co.body.data.url).toMatch(/^https:\/\/checkout\.stripe\.com\//);
    const sent = stripe.requests.filter((r) => r.path === "/v1/checkout/sessions").at(-1);
    expect(sent?.params).toMatchObject({
      mode: "subscription",
      client_reference_id: t.tenantId,
      "line_items[0][price]": "price_warden_pro",
    });
    const portal = await call("POST", "/api/billing/portal", { token: t.token });
    expect(portal.status).toBe(201);
    PortalView.parse(portal.body.data);
    expect(portal.body.data.url).toMatch(/^https:\/\/billing\.stripe\.com\//);
  });
});

describe("POST /api/billing/webhook/stripe", () => {
  let t: Tenant;
  let customer: string;
  beforeAll(async () => {
    t = await newTenant("st-hook");
    expect((await upgrade(t, { plan_id: "pro" })).status).toBe(200);
    customer = (await billingAccount(t.tenantId))?.customerId ?? "";
    expect(customer).toMatch(/^cus_/);
  });

  it("applies a valid, verified event and audits it for the tenant", async () => {
    const d = delivery("customer.subscription.updated", subscription(customer, "price_warden_enterprise", "active"));
    const res = await send(d);
    expect(res.status).toBe(200);
    WebhookView.parse(res.body.data);
    expect(res.body.data).toEqual({ received: true, event_id: d.event.id, type: d.event.type, result: "handled" });
    expect((await getTenant(t.tenantId))?.plan).toBe("enterprise");
    const trail = await readAudit(t.tenantId, new Date(Date.now() - 60_000), new Date(Date.now() + 1000));
    expect(trail.some((r) => r.event === "Stripe Event Received" && r.details.event_id === d.event.id)).toBe(true);
  });

  it("refuses a tampered payload, a wrong secret and a missing signature (400), changing nothing", async () => {
    const d = delivery("customer.subscription.deleted", subscription(customer, "price_warden_pro", "canceled"));
    const tampered = await send({ payload: d.payload.replace('"canceled"', '"active"'), header: d.header });
    expect(tampered.status).toBe(400);
    expect(tampered.body.error).toMatchObject({ code: "VALIDATION_ERROR" });
    expect(tampered.body.error.message).toContain("signature verification failed");
    const forged = Stripe.webhooks.generateTestHeaderString({
      payload: d.payload,
      secret: "whsec_attacker_secret_0000",
    });
    expect((await send({ payload: d.payload, header: forged })).status).toBe(400);
    const bare = await call("POST", "/api/billing/webhook/stripe", { rawBody: d.payload });
    expect(bare.status).toBe(400);
    expect((await getTenant(t.tenantId))?.plan).toBe("enterprise");
  });

  it("refuses a delivery signed more than 300 s ago", async () => {
    const d = delivery("customer.subscription.deleted", subscription(customer, "price_warden_pro", "canceled"), {
      signedAt: Math.floor(Date.now() / 1000) - 301,
    });
    const res = await send(d);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain("timestamp outside the tolerance");
    expect((await getTenant(t.tenantId))?.plan).toBe("enterprise");
  });

  it("handles a redelivered event once: the replay is acknowledged as a duplicate and changes nothing", async () => {
    const d = delivery("customer.subscription.updated", subscription(customer, "price_warden_pro", "active"));
    expect((await send(d)).body.data.result).toBe("handled");
    expect((await getTenant(t.tenantId))?.plan).toBe("pro");
    await setTenantPlan(t.tenantId, "enterprise");
    const replay = await send(d);
    expect(replay.status).toBe(200);
    expect(replay.body.data.result).toBe("duplicate");
    expect((await getTenant(t.tenantId))?.plan).toBe("enterprise");
    await setTenantPlan(t.tenantId, "pro");
  });

  it("acknowledges unknown event types and unknown customers (2xx) without changing anything", async () => {
    const unknownType = await send(delivery("charge.refunded", { id: "ch_1", object: "charge", customer }));
    expect(unknownType.status).toBe(200);
    expect(unknownType.body.data.result).toBe("ignored");
    const stranger = await send(
      delivery("customer.subscription.deleted", subscription("cus_nobody_here", "price_warden_pro", "canceled")),
    );
    expect(stranger.status).toBe(200);
    expect(stranger.body.data.result).toBe("ignored");
    expect((await getTenant(t.tenantId))?.plan).toBe("pro");
  });

  it("resolves out-of-order events by the event's own time: an older update after a deletion changes nothing", async () => {
    const now = Math.floor(Date.now() / 1000) + 10;
    const deleted = delivery("customer.subscription.deleted", subscription(customer, "price_warden_pro", "canceled"), {
      created: now,
    });
    const olderUpdate = delivery(
      "customer.subscription.updated",
      subscription(customer, "price_warden_pro", "active"),
      {
        created: now - 5,
      },
    );
    expect((await send(deleted)).body.data.result).toBe("handled");
    expect((await getTenant(t.tenantId))?.plan).toBe("free");
    const late = await send(olderUpdate);
    expect(late.status).toBe(200);
    expect(late.body.data.result).toBe("stale");
    expect((await getTenant(t.tenantId))?.plan).toBe("free");
  });

  it("keeps the plan through a failed payment's grace period, then falls back to free with a notice", async () => {
    const u = await newTenant("st-dunning");
    expect((await upgrade(u, { plan_id: "pro" })).status).toBe(200);
    const cus = (await billingAccount(u.tenantId))?.customerId ?? "";
    const invoice = { ...STRIPE_FIXTURES.invoice, id: "in_failed_1", customer: cus };
    const now = Math.floor(Date.now() / 1000);
    expect((await send(delivery("invoice.payment_failed", invoice, { created: now }))).body.data.result).toBe(
      "handled",
    );
    expect((await getTenant(u.tenantId))?.plan).toBe("pro");
    const during = await call("GET", "/api/billing/current-plan", { token: u.token });
    expect(during.body.data.subscription.grace_until).not.toBeNull();
    expect(during.body.data.subscription.notices.at(-1).message).toMatch(/^Payment failed: the plan is kept until/);
    // Stripe's next retry fails after the grace period (7 days).
    await send(delivery("invoice.payment_failed", invoice, { created: now + 8 * 86_400 }));
    expect((await getTenant(u.tenantId))?.plan).toBe("free");
    const after = await call("GET", "/api/billing/current-plan", { token: u.token });
    expect(after.body.data.subscription.notices.at(-1).message).toContain("on the free plan");
  });

  it("records the subscription of a completed checkout and a trial's end notice", async () => {
    const u = await newTenant("st-checkout");
    expect((await call("POST", "/api/billing/checkout", { token: u.token, body: { plan_id: "pro" } })).status).toBe(
      201,
    );
    const cus = (await billingAccount(u.tenantId))?.customerId ?? "";
    const session = {
      ...STRIPE_FIXTURES["checkout.session"],
      id: "cs_done_1",
      customer: cus,
      client_reference_id: u.tenantId,
      subscription: "sub_from_checkout",
    };
    expect((await send(delivery("checkout.session.completed", session))).body.data.result).toBe("handled");
    expect((await billingAccount(u.tenantId))?.subscriptionId).toBe("sub_from_checkout");
    const trialing = {
      ...subscription(cus, "price_warden_pro", "trialing", "sub_from_checkout"),
      trial_end: 1_900_000_000,
    };
    expect((await send(delivery("customer.subscription.created", trialing))).body.data.result).toBe("handled");
    expect((await getTenant(u.tenantId))?.plan).toBe("pro");
    expect((await send(delivery("customer.subscription.trial_will_end", trialing))).body.data.result).toBe("handled");
    const acct = await billingAccount(u.tenantId);
    expect(acct?.notices.at(-1)?.message).toContain("Trial ends 2030-03-17");
  });
});

describe("Stripe Billing Meters (table stream worker)", () => {
  it("reports scans and the month's device peak as meter events, with identifiers that make a redelivery harmless", async () => {
    const { handler } = await import("#functions/workers/billing-meters.ts");
    const { marshall } = await import("@aws-sdk/util-dynamodb");
    const paying = await newTenant("st-meters");
    expect((await upgrade(paying, { plan_id: "pro" })).status).toBe(200);
    const customer = (await billingAccount(paying.tenantId))?.customerId;
    const stranger = await newTenant("st-meters-free");
    const record = (tenantId: string, before: Record<string, number>, after: Record<string, number>) => ({
      eventName: "MODIFY" as const,
      dynamodb: {
        OldImage: marshall({ PK: `T#${tenantId}`, SK: "USAGE#2026-11", type: "UsageMonth", ...before }),
        NewImage: marshall({ PK: `T#${tenantId}`, SK: "USAGE#2026-11", type: "UsageMonth", ...after }),
      },
    });
    const batch = {
      Records: [
        record(paying.tenantId, { scans: 3, peakDevices: 0 }, { scans: 5, peakDevices: 2 }),
        record(stranger.tenantId, { scans: 0 }, { scans: 1 }),
      ],
    } as unknown as Parameters<typeof handler>[0];
    const before = stripe.requests.length;
    await handler(batch);
    const sent = stripe.requests.slice(before).filter((r) => r.path === "/v1/billing/meter_events");
    expect(sent.map((r) => r.params)).toEqual([
      expect.objectContaining({
        event_name: "warden_scans",
        identifier: `${paying.tenantId}:2026-11:scans:5`,
        "payload[stripe_customer_id]": customer,
        "payload[value]": "2",
      }),
      expect.objectContaining({
        event_name: "warden_device_months",
        identifier: `${paying.tenantId}:2026-11:devices:2`,
        "payload[value]": "2",
      }),
    ]);
    // The stream redelivers the batch: the same identifiers go out, which Stripe keeps once.
    await handler(batch);
    const again = stripe.requests.slice(before).filter((r) => r.path === "/v1/billing/meter_events");
    expect(new Set(again.map((r) => r.params.identifier)).size).toBe(2);
  });
});
