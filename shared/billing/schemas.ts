/** Billing's request schemas (securenet `/api/billing/*`). Strict: unknown fields are refused. */
import * as z from "zod/mini";
import { PLAN_IDS } from "./plans.ts";

const months = z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(24)), 12);

/** GET /api/billing/usage. */
export const UsageQuery = z.strictObject({ months });

/** GET /api/metrics/usage/export. */
export const UsageExportQuery = z.strictObject({ format: z._default(z.enum(["json", "csv"]), "json"), months });

/** A Stripe PaymentMethod id (`pm_…`) or a legacy card token (`tok_…`). */
const paymentMethod = z
  .string()
  .check(
    z.regex(/^(pm|tok|card|src)_[A-Za-z0-9_]{1,250}$/, "must be a Stripe payment method id (pm_…) or token (tok_…)"),
  );

/** POST /api/billing/upgrade: also a downgrade, with the lower `plan_id`. */
export const UpgradeBody = z.strictObject({
  plan_id: z.enum(PLAN_IDS),
  payment_method: z.optional(paymentMethod),
});

/** POST /api/billing/checkout. */
export const CheckoutBody = z.strictObject({ plan_id: z.enum(["pro", "enterprise"]) });
