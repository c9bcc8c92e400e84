/**
 * Securenet surface, billing area (securenet spec "Billing & Subscription Endpoints", plus
 * checkout and the customer portal beyond it). Rate class `billing` (30 requests a minute); the
 * Stripe webhook is public (Stripe signs it; the raw body is verified) and not rate limited per
 * tenant. Stack `Routes-billing`.
 *
 * Access: reads read the table; plan changes write the tenant's plan and billing account and call
 * Stripe over HTTPS, with the keys of the payment secret (`paymentSecrets`: GetSecretValue on that
 * one secret, when the deployment names one).
 */
import { type RouteDef, rows } from "#shared/kit/route.ts";

const row = rows({ surface: "securenet", base: "/api/billing", rateClass: "billing" });
const RO = { table: "RO" } as const;
/** Plan changes, checkout, the portal and the webhook talk to Stripe: they alone read its secret. */
const STRIPE = { table: "RW", paymentSecrets: true } as const;

export const billingRoutes: RouteDef[] = [
  row({
    method: "GET",
    path: "/plans",
    handler: "functions/securenet/billing/plans.ts",
    permission: "billing:read",
    access: RO,
  }),
  row({
    method: "GET",
    path: "/usage",
    handler: "functions/securenet/billing/usage.ts",
    permission: "billing:read",
    access: RO,
  }),
  row({
    method: "GET",
    path: "/current-plan",
    handler: "functions/securenet/billing/current-plan.ts",
    permission: "billing:read",
    access: RO,
  }),
  row({
    method: "POST",
    path: "/upgrade",
    handler: "functions/securenet/billing/upgrade.ts",
    permission: "billing:admin",
    access: STRIPE,
    audit: { event: "Subscription Plan Changed", eventType: "subscription_plan_changed" },
  }),
  row({
    method: "POST",
    path: "/webhook/stripe",
    handler: "functions/securenet/billing/webhook-stripe.ts",
    permission: null,
    access: STRIPE,
    audit: { event: "Stripe Event Received", eventType: "stripe_event" },
    rateClass: "unlimited",
    body: "raw",
  }),
  row({
    method: "GET",
    path: "/limits/check",
    handler: "functions/securenet/billing/limits-check.ts",
    permission: "billing:read",
    access: RO,
  }),
  row({
    method: "POST",
    path: "/checkout",
    handler: "functions/securenet/billing/checkout.ts",
    permission: "billing:admin",
    access: STRIPE,
    audit: { event: "Checkout Session Created", eventType: "checkout_session_created" },
  }),
  row({
    method: "POST",
    path: "/portal",
    handler: "functions/securenet/billing/portal.ts",
    permission: "billing:admin",
    access: STRIPE,
    audit: { event: "Billing Portal Opened", eventType: "billing_portal_opened" },
  }),
];
