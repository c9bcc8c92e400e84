/**
 * The payment provider behind a port: Stripe (adapters/stripe.ts) when `STRIPE_SECRET_KEY` is
 * set, none otherwise — then plan changes apply locally (subscriptions.ts) and checkout and the
 * customer portal say Stripe is not configured. The adapter is chosen once per cold start; tests
 * point the real Stripe SDK at a local server answering Stripe's fixture objects.
 */

import type { Payments } from "./payments-port.ts";
import { loadBillingSettings } from "./settings.ts";

export type { MeterEvent, Payments, SubscriptionState } from "./payments-port.ts";

let adapter: Promise<Payments | undefined> | undefined;

/** Stripe when configured, undefined otherwise; loaded once. */
export function payments(): Promise<Payments | undefined> {
  adapter ??= loadBillingSettings().then((s) =>
    s.STRIPE_SECRET_KEY ? import("./adapters/stripe.ts").then((m) => m.stripePayments()) : undefined,
  );
  return adapter;
}
