/**
 * Billing's configuration, read from the environment once (on first use, so a test file can set
 * it before its first request). Without `STRIPE_SECRET_KEY`, an upgrade applies directly only where
 * the operator allows unpaid plan changes (`WARDEN_PLAN_CHANGES_WITHOUT_PAYMENT=allow`: local mode
 * and tests); a deployment that configures neither refuses upgrades, so no tenant admin can give
 * their organization a paid plan for free. The webhook route verifies real Stripe signatures with
 * `STRIPE_WEBHOOK_SECRET`.
 */
import * as z from "zod/mini";
import { PLAN_IDS } from "./plans.ts";

const Env = z.object({
  STRIPE_SECRET_KEY: z.optional(z.string().check(z.minLength(8))),
  STRIPE_WEBHOOK_SECRET: z.optional(z.string().check(z.minLength(8))),
  /** Where the Stripe SDK sends its calls (tests: a local server answering Stripe's fixtures). */
  STRIPE_API_URL: z.optional(z.url()),
  /** The Stripe Price of each paid plan. */
  STRIPE_PRICE_PRO: z._default(z.string(), "price_warden_pro"),
  STRIPE_PRICE_ENTERPRISE: z._default(z.string(), "price_warden_enterprise"),
  /** Stripe Billing Meter event names for usage beyond the plan's limits. */
  STRIPE_METER_DEVICES: z._default(z.string(), "warden_device_months"),
  STRIPE_METER_SCANS: z._default(z.string(), "warden_scans"),
  /** Where Checkout and the Customer Portal send the customer back to. */
  WARDEN_PUBLIC_URL: z._default(z.url(), "http://localhost:3000"),
  /** The plan local mode's bootstrap tenant `default` starts on. */
  WARDEN_DEFAULT_PLAN: z._default(z.enum(PLAN_IDS), "enterprise"),
  /**
   * The plan a self-service signup starts on: `free`, as the product sells it. A private
   * deployment that bills nobody may start every organization on a larger plan.
   */
  WARDEN_SIGNUP_PLAN: z._default(z.enum(PLAN_IDS), "free"),
  /**
   * Without Stripe: `allow` applies plan changes directly (local mode, tests, a private deployment
   * that bills nobody); `refuse` (the default) refuses upgrades, naming what to configure.
   * Downgrades are always allowed.
   */
  WARDEN_PLAN_CHANGES_WITHOUT_PAYMENT: z._default(z.enum(["allow", "refuse"]), "refuse"),
  /** Days a tenant keeps its paid plan after a failed invoice before it falls back to free. */
  WARDEN_BILLING_GRACE_DAYS: z._default(z.coerce.number().check(z.int(), z.nonnegative()), 7),
});

export type BillingSettings = z.infer<typeof Env>;

let cached: BillingSettings | undefined;

export function billingSettings(): BillingSettings {
  if (cached) return cached;
  const parsed = Env.safeParse(process.env);
  if (!parsed.success) {
    throw new Error(`Invalid billing environment: ${parsed.error.issues.map((i) => i.path.join(".")).join(", ")}`);
  }
  cached = parsed.data;
  return cached;
}

/** The Stripe Price of a paid plan. */
export function priceOf(plan: "pro" | "enterprise"): string {
  const s = billingSettings();
  return plan === "pro" ? s.STRIPE_PRICE_PRO : s.STRIPE_PRICE_ENTERPRISE;
}

/** The plan a Stripe Price stands for, if it is one of ours. */
export function planOfPrice(priceId: string): "pro" | "enterprise" | undefined {
  const s = billingSettings();
  if (priceId === s.STRIPE_PRICE_PRO) return "pro";
  if (priceId === s.STRIPE_PRICE_ENTERPRISE) return "enterprise";
  return undefined;
}

export const stripeConfigured = (): boolean => billingSettings().STRIPE_SECRET_KEY !== undefined;
