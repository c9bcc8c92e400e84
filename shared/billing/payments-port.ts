/**
 * The payments port's contract: what the Stripe adapter implements and payments.ts hands out.
 * Types only, in their own module so the adapter can name them without importing its loader.
 */
/** A subscription as the rest of billing needs it. */
export interface SubscriptionState {
  id: string;
  customerId: string;
  /** Stripe's status: active, trialing, incomplete, past_due, canceled… */
  status: string;
  priceId: string | undefined;
  itemId: string | undefined;
  /** Epoch seconds of the object's own newest time (for ordering). */
  at: number;
  /** Set when the first payment needs the customer (3-D Secure): confirm it with Stripe.js. */
  clientSecret: string | null;
  trialEnd: number | null;
}

export interface MeterEvent {
  eventName: string;
  customerId: string;
  value: number;
  /** Idempotency: Stripe keeps one event per identifier. */
  identifier: string;
  timestamp: number;
}

export interface Payments {
  readonly kind: "stripe";
  createCustomer(input: { tenantId: string; name: string; idempotencyKey: string }): Promise<string>;
  /** Attaches a payment method (a `pm_…` id, or a token Stripe turns into one) as the customer's default. */
  attachPaymentMethod(customerId: string, paymentMethod: string): Promise<void>;
  createSubscription(input: {
    customerId: string;
    priceId: string;
    idempotencyKey: string;
  }): Promise<SubscriptionState>;
  /** Swaps the price of the subscription's item, prorated. */
  changePrice(input: {
    subscriptionId: string;
    itemId: string;
    priceId: string;
    idempotencyKey: string;
  }): Promise<SubscriptionState>;
  cancelSubscription(subscriptionId: string): Promise<SubscriptionState>;
  checkoutSession(input: {
    customerId: string;
    priceId: string;
    tenantId: string;
    successUrl: string;
    cancelUrl: string;
  }): Promise<{ id: string; url: string }>;
  portalSession(input: { customerId: string; returnUrl: string }): Promise<{ url: string }>;
  reportMeterEvents(events: MeterEvent[]): Promise<void>;
}
