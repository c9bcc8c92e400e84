/**
 * Billing's configuration, read from the environment once (on first use, so a test file can set
 * it before its first request). Without `STRIPE_SECRET_KEY`, an upgrade applies directly only where
 * the operator allows unpaid plan changes (`WARDEN_PLAN_CHANGES_WITHOUT_PAYMENT=allow`: local mode
 * and tests); a deployment that configures neither refuses upgrades, so no tenant admin can give
 * their organization a paid plan for free. The webhook route verifies real Stripe signatures with
 * `STRIPE_WEBHOOK_SECRET`.
 *
 * A deployed stack keeps the Stripe values in Secrets Manager, not in function environments: CDK
 * (`-c stripeSecretArn=…`) sets `WARDEN_STRIPE_SECRET_ARN` on the functions that talk to Stripe
 * (and grants only them `GetSecretValue` on that secret), and `loadBillingSettings()` reads the
 * secret — a JSON object with any of `STRIPE_SECRET_KEY`, `STRIPE_WEBHOOK_SECRET`,
 * `STRIPE_PRICE_*`, `STRIPE_METER_*` — once per container, on first use, over the environment.
 * Every other function sees `WARDEN_PAYMENTS=stripe`, which only says Stripe is configured.
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
let loading: Promise<BillingSettings> | undefined;

/** The keys a payment secret may set (anything else in it is ignored). */
const SECRET_KEYS = [
  "STRIPE_SECRET_KEY",
  "STRIPE_WEBHOOK_SECRET",
  "STRIPE_PRICE_PRO",
  "STRIPE_PRICE_ENTERPRISE",
  "STRIPE_METER_DEVICES",
  "STRIPE_METER_SCANS",
] as const;

function parse(source: Record<string, string | undefined>): BillingSettings {
  const parsed = Env.safeParse(source);
  if (!parsed.success) {
    throw new Error(`Invalid billing settings: ${parsed.error.issues.map((i) => i.path.join(".")).join(", ")}`);
  }
  return parsed.data;
}

/**
 * The settings, synchronously. Where a payment secret is configured (`WARDEN_STRIPE_SECRET_ARN`)
 * and not read yet, this is the environment alone (plans, URLs, grace days: never a Stripe value) —
 * every path that talks to Stripe reads the secret first (`loadBillingSettings`, via `payments()`
 * and the webhook's verification).
 */
export function billingSettings(): BillingSettings {
  if (cached) return cached;
  if (process.env.WARDEN_STRIPE_SECRET_ARN) return parse(process.env);
  cached = parse(process.env);
  return cached;
}

/** The settings with the payment secret's values over the environment's; the secret is read once per container. */
export function loadBillingSettings(): Promise<BillingSettings> {
  if (cached) return Promise.resolve(cached);
  const arn = process.env.WARDEN_STRIPE_SECRET_ARN;
  if (!arn) return Promise.resolve(billingSettings());
  loading ??= import("./adapters/secrets.ts")
    .then((m) => m.readSecretJson(arn))
    .then((secret) => {
      const fromSecret = Object.fromEntries(
        SECRET_KEYS.flatMap((k) => (typeof secret[k] === "string" && secret[k] !== "" ? [[k, secret[k]]] : [])),
      );
      cached = parse({ ...process.env, ...fromSecret });
      return cached;
    })
    .finally(() => {
      loading = undefined;
    });
  return loading;
}

/** Tests: forget the settings (and the secret's values) read so far. */
export function resetBillingSettings(): void {
  cached = undefined;
  loading = undefined;
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

/** Whether this deployment talks to Stripe: a key in the environment, or a payment secret configured by CDK. */
export const stripeConfigured = (): boolean =>
  process.env.WARDEN_PAYMENTS === "stripe" ||
  process.env.WARDEN_STRIPE_SECRET_ARN !== undefined ||
  billingSettings().STRIPE_SECRET_KEY !== undefined;
