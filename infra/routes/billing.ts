/**
 * Securenet surface, billing area (securenet spec "Billing & Subscription Endpoints", plus
 * checkout and the customer portal beyond it). Rate class `billing` (30 requests a minute); the
 * Stripe webhook is public (Stripe signs it; the raw body is verified) and not rate limited per
 * tenant. Stack `Routes-billing`.
 *
 * Access: reads read the table; plan changes write the tenant's plan and billing account and call
 * Stripe over HTTPS (no AWS permission needed for that).
 */
import { type RouteDef, rows } from "#shared/kit/route.ts";

const row = rows({ surface: "securenet", base: "/api/billing", rateClass: "billing" });
const RO = { table: "RO" } as const;
const RW = { table: "RW" } as const;

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
    access: RW,
    audit: { event: "Subscription Plan Changed", eventType: "subscription_plan_changed" },
  }),
  row({
    method: "POST",
    path: "/webhook/stripe",
    handler: "functions/securenet/billing/webhook-stripe.ts",
    permission: null,
    access: RW,
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
    access: RW,
    audit: { event: "Checkout Session Created", eventType: "checkout_session_created" },
  }),
  row({
    method: "POST",
    path: "/portal",
    handler: "functions/securenet/billing/portal.ts",
    permission: "billing:admin",
    access: RW,
    audit: { event: "Billing Portal Opened", eventType: "billing_portal_opened" },
  }),
];
