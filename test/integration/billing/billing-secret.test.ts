/**
 * A deployed stack's Stripe configuration comes from Secrets Manager: CDK sets
 * WARDEN_STRIPE_SECRET_ARN on the functions that talk to Stripe, and billing reads the secret (a JSON
 * object of STRIPE_* values) once per container, on first use. Secrets Manager cannot run here:
 * it is stood in for by aws-sdk-client-mock (the only mock); Stripe is the real `stripe` SDK against
 * the local fixture server, as in billing-stripe.test.ts.
 */
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { STRIPE_FIXTURES } from "#test/helpers/stripe-fixtures.ts";
import { type StripeServer, startStripeServer } from "#test/helpers/stripe-server.ts";

const SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:warden/stripe-AbCdEf";
const WEBHOOK_SECRET = "whsec_from_secrets_manager_9f8e7d6c5b4a";
vi.hoisted(() => {
  delete process.env.WARDEN_SIGNUP_PLAN;
  delete process.env.STRIPE_SECRET_KEY;
  delete process.env.STRIPE_WEBHOOK_SECRET;
  process.env.WARDEN_STRIPE_SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:warden/stripe-AbCdEf";
});

const secrets = mockClient(SecretsManagerClient);
let stripe: StripeServer;
const { call, newTenant } = await import("#test/helpers/api.ts");
const { getTenant } = await import("#shared/tenancy/tenants.ts");
const { billingAccount } = await import("#shared/billing/subscriptions.ts");

beforeAll(async () => {
  stripe = await startStripeServer();
  process.env.STRIPE_API_URL = stripe.url;
  secrets.on(GetSecretValueCommand, { SecretId: SECRET_ARN }).resolves({
    SecretString: JSON.stringify({
      STRIPE_SECRET_KEY: "sk_test_from_secrets_manager",
      STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      STRIPE_PRICE_PRO: "price_pro_from_secret",
      STRIPE_PRICE_ENTERPRISE: "price_enterprise_from_secret",
    }),
  });
});
afterAll(async () => {
  await stripe.stop();
  secrets.restore();
});

describe("Stripe configuration from Secrets Manager", () => {
  it("subscribes with the key and the price ids of the secret, reading the secret once", async () => {
    const t = await newTenant("bs-upgrade");

    const res = await call("POST", "/api/billing/upgrade", { token: t.token, body: { plan_id: "pro" } });
    const again = await call("GET", "/api/billing/current-plan", { token: t.token });

    expect(res.status).toBe(200);
    expect((await getTenant(t.tenantId))?.plan).toBe("pro");
    const created = stripe.requests.filter((r) => r.method === "POST" && r.path === "/v1/subscriptions");
    expect(created).toHaveLength(1);
    expect(created[0]?.params["items[0][price]"]).toBe("price_pro_from_secret");
    expect(created[0]?.authorization).toBe("Bearer sk_test_from_secrets_manager");
    expect(again.status).toBe(200);
    expect(again.body.data.subscription.stripe_configured).toBe(true);
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it("verifies webhook deliveries with the secret's webhook secret", async () => {
    const t = await newTenant("bs-webhook");
    await call("POST", "/api/billing/upgrade", { token: t.token, body: { plan_id: "pro" } });
    const customer = (await billingAccount(t.tenantId))?.customerId ?? "";
    const sub = JSON.parse(JSON.stringify(STRIPE_FIXTURES.subscription));
    Object.assign(sub, { id: "sub_secret_1", customer, status: "active", trial_end: null });
    sub.items.data[0].price.id = "price_enterprise_from_secret";
    const payload = JSON.stringify({
      ...STRIPE_FIXTURES.event,
      id: "evt_secret_1",
      type: "customer.subscription.updated",
      created: Math.floor(Date.now() / 1000),
      data: { object: sub },
    });
    const post = (secret: string) =>
      call("POST", "/api/billing/webhook/stripe", {
        rawBody: payload,
        headers: {
          "stripe-signature": Stripe.webhooks.generateTestHeaderString({ payload, secret }),
          "content-type": "application/json",
        },
      });

    const forged = await post("whsec_someone_else_entirely");
    expect(forged.status).toBe(400);
    expect((await getTenant(t.tenantId))?.plan).toBe("pro");

    const genuine = await post(WEBHOOK_SECRET);
    expect(genuine.status).toBe(200);
    expect((await getTenant(t.tenantId))?.plan).toBe("enterprise");
  });
});
