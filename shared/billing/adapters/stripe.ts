/**
 * The Stripe adapter: the official SDK, configured once. Every creating call carries an
 * idempotency key derived from what it does, so a retried request never makes a second customer
 * or subscription. `STRIPE_API_URL` points the SDK elsewhere (tests: a local server answering
 * Stripe's published fixture objects).
 */
import Stripe from "stripe";
import type { MeterEvent, Payments, SubscriptionState } from "../payments-port.ts";
import { billingSettings } from "../settings.ts";

function client(): Stripe {
  const s = billingSettings();
  const key = s.STRIPE_SECRET_KEY;
  if (!key) throw new Error("STRIPE_SECRET_KEY is not set");
  const url = s.STRIPE_API_URL ? new URL(s.STRIPE_API_URL) : undefined;
  return new Stripe(key, {
    maxNetworkRetries: 2,
    timeout: 10_000,
    telemetry: false,
    ...(url
      ? {
          host: url.hostname,
          port: url.port || (url.protocol === "http:" ? 80 : 443),
          protocol: url.protocol === "http:" ? "http" : "https",
        }
      : {}),
  });
}

const idOf = (v: string | { id: string } | null | undefined): string | undefined =>
  typeof v === "string" ? v : (v?.id ?? undefined);

export function subscriptionState(sub: Stripe.Subscription): SubscriptionState {
  const item = sub.items.data[0];
  const invoice = typeof sub.latest_invoice === "object" ? sub.latest_invoice : null;
  const needsAction = sub.status === "incomplete" || invoice?.status === "open";
  return {
    id: sub.id,
    customerId: idOf(sub.customer) ?? "",
    status: sub.status,
    priceId: item?.price.id,
    itemId: item?.id,
    at: Math.max(sub.created, sub.canceled_at ?? 0, sub.ended_at ?? 0, item?.created ?? 0),
    clientSecret: needsAction ? (invoice?.confirmation_secret?.client_secret ?? null) : null,
    trialEnd: sub.trial_end ?? null,
  };
}

export function stripePayments(): Payments {
  const stripe = client();
  return {
    kind: "stripe",
    async createCustomer({ tenantId, name, idempotencyKey }) {
      const c = await stripe.customers.create({ name, metadata: { tenant_id: tenantId } }, { idempotencyKey });
      return c.id;
    },
    async attachPaymentMethod(customerId, paymentMethod) {
      const pm = await stripe.paymentMethods.attach(paymentMethod, { customer: customerId });
      await stripe.customers.update(customerId, { invoice_settings: { default_payment_method: pm.id } });
    },
    async createSubscription({ customerId, priceId, idempotencyKey }) {
      const sub = await stripe.subscriptions.create(
        {
          customer: customerId,
          items: [{ price: priceId }],
          // The first invoice is attempted now; one that needs 3-D Secure leaves the subscription
          // incomplete with a client secret for the customer to confirm.
          payment_behavior: "allow_incomplete",
          expand: ["latest_invoice.confirmation_secret"],
        },
        { idempotencyKey },
      );
      return subscriptionState(sub);
    },
    async changePrice({ subscriptionId, itemId, priceId, idempotencyKey }) {
      const sub = await stripe.subscriptions.update(
        subscriptionId,
        {
          items: [{ id: itemId, price: priceId }],
          proration_behavior: "create_prorations",
          payment_behavior: "allow_incomplete",
          expand: ["latest_invoice.confirmation_secret"],
        },
        { idempotencyKey },
      );
      return subscriptionState(sub);
    },
    async cancelSubscription(subscriptionId) {
      return subscriptionState(await stripe.subscriptions.cancel(subscriptionId, { prorate: true }));
    },
    async checkoutSession({ customerId, priceId, tenantId, successUrl, cancelUrl }) {
      const session = await stripe.checkout.sessions.create({
        mode: "subscription",
        customer: customerId,
        client_reference_id: tenantId,
        line_items: [{ price: priceId, quantity: 1 }],
        success_url: successUrl,
        cancel_url: cancelUrl,
        subscription_data: { metadata: { tenant_id: tenantId } },
      });
      if (!session.url) throw new Error("Stripe answered a checkout session without a URL");
      return { id: session.id, url: session.url };
    },
    async portalSession({ customerId, returnUrl }) {
      const session = await stripe.billingPortal.sessions.create({ customer: customerId, return_url: returnUrl });
      return { url: session.url };
    },
    async reportMeterEvents(events: MeterEvent[]) {
      for (const e of events) {
        await stripe.billing.meterEvents.create({
          event_name: e.eventName,
          identifier: e.identifier,
          timestamp: e.timestamp,
          payload: { stripe_customer_id: e.customerId, value: String(e.value) },
        });
      }
    },
  };
}

/**
 * Verifies a webhook delivery's `Stripe-Signature` over the raw body (300 s tolerance) and answers
 * the event; throws when the signature or the timestamp is wrong. Needs no API key.
 */
export function verifyWebhook(rawBody: Buffer, signature: string, secret: string): Stripe.Event {
  return Stripe.webhooks.constructEvent(rawBody, signature, secret, 300);
}

export type { Stripe };
