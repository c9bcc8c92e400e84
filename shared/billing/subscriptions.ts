/**
 * Plan changes. With Stripe configured: one customer per tenant (created once, idempotency keys),
 * a subscription created or its price swapped with proration, the payment method attached, and
 * 3-D Secure surfaced with the client secret. The tenant's plan changes only when Stripe confirmed
 * it — synchronously (the subscription came back active) or by a verified webhook event
 * (webhook.ts); until then the answer says `pending`. Without Stripe (local mode's default) the
 * change applies at once. A downgrade is refused while usage exceeds the lower plan's limits.
 */
import { Conflict } from "#shared/kit/errors.ts";
import { log } from "#shared/kit/log.ts";
import { getTenant, setTenantPlan } from "#shared/tenancy/tenants.ts";
import { attachCustomer, type BillingAccount, createAccount, getAccount, updateAccount } from "./db/accounts.ts";
import { PlanLimitExceeded } from "./limits.ts";
import { type Payments, payments, type SubscriptionState } from "./payments.ts";
import { PLANS, type Plan, type PlanId, planOf } from "./plans.ts";
import { billingSettings, planOfPrice, priceOf } from "./settings.ts";
import { usageSnapshot } from "./usage.ts";

export type ChangeStatus = "active" | "pending" | "requires_action" | "unchanged";

export interface PlanChange {
  previous: Plan;
  plan: Plan;
  status: ChangeStatus;
  direction: "upgrade" | "downgrade" | "none";
  effectiveDate: string | null;
  clientSecret: string | null;
}

/** The usage that stands in the way of moving to `target`, one line per limit. */
export async function downgradeBlockers(tenantId: string, target: Plan): Promise<string[]> {
  const s = await usageSnapshot(tenantId);
  const out: string[] = [];
  if (s.devices > target.limits.devices) {
    out.push(`devices: ${s.devices} registered, the '${target.id}' plan allows ${target.limits.devices}`);
  }
  if (s.month.scans > target.limits.scansPerMonth) {
    out.push(
      `scans_per_month: ${s.month.scans} this month, the '${target.id}' plan allows ${target.limits.scansPerMonth}`,
    );
  }
  return out;
}

async function account(tenantId: string): Promise<BillingAccount> {
  const found = await getAccount(tenantId, true);
  if (found) return found;
  try {
    await createAccount(tenantId);
  } catch (e) {
    if (!(e instanceof Conflict)) throw e;
  }
  const made = await getAccount(tenantId, true);
  if (!made) throw new Error("billing account vanished after creation");
  return made;
}

/** The tenant's Stripe customer, created once (a retried creation reuses Stripe's answer by idempotency key). */
async function customerOf(tenantId: string, stripe: Payments): Promise<{ acct: BillingAccount; customerId: string }> {
  const acct = await account(tenantId);
  if (acct.customerId) return { acct, customerId: acct.customerId };
  const tenant = await getTenant(tenantId);
  const customerId = await stripe.createCustomer({
    tenantId,
    name: tenant?.name ?? tenantId,
    idempotencyKey: `warden-customer-${tenantId}`,
  });
  await attachCustomer(acct, customerId);
  const fresh = await getAccount(tenantId, true);
  if (!fresh) throw new Error("billing account vanished");
  return { acct: fresh, customerId };
}

export async function changePlan(tenantId: string, planId: PlanId, paymentMethod?: string): Promise<PlanChange> {
  const tenant = await getTenant(tenantId, true);
  const previous = planOf(tenant?.plan);
  const plan = PLANS[planId];
  const direction = plan.rank > previous.rank ? "upgrade" : plan.rank < previous.rank ? "downgrade" : "none";
  const acct = await getAccount(tenantId, true);
  if (direction === "none" && !acct?.pendingPlan) {
    return { previous, plan, status: "unchanged", direction, effectiveDate: null, clientSecret: null };
  }
  if (direction === "downgrade") {
    const blockers = await downgradeBlockers(tenantId, plan);
    if (blockers.length > 0) {
      const message = `Cannot move to the '${plan.id}' plan while usage exceeds its limits: ${blockers.join("; ")}`;
      throw new PlanLimitExceeded(402, message, blockers.map((b) => b.split(":")[0]).join(","), [
        ...blockers.map((b) => ({ loc: ["plan", b.split(":")[0] ?? "limit"], msg: b, type: "subscription_limit" })),
      ]);
    }
  }
  const stripe = await payments();
  if (!stripe) {
    if (direction === "upgrade" && billingSettings().WARDEN_PLAN_CHANGES_WITHOUT_PAYMENT !== "allow") {
      throw new Conflict(
        `Upgrading to the '${plan.id}' plan needs payment, and this deployment has no payment provider configured ` +
          "(STRIPE_SECRET_KEY); ask the operator, or allow unpaid plan changes with WARDEN_PLAN_CHANGES_WITHOUT_PAYMENT=allow",
      );
    }
    await setTenantPlan(tenantId, plan.id);
    return { previous, plan, status: "active", direction, effectiveDate: new Date().toISOString(), clientSecret: null };
  }
  return changeWithStripe(tenantId, previous, plan, direction, stripe, paymentMethod);
}

async function changeWithStripe(
  tenantId: string,
  previous: Plan,
  plan: Plan,
  direction: PlanChange["direction"],
  stripe: Payments,
  paymentMethod: string | undefined,
): Promise<PlanChange> {
  const { acct, customerId } = await customerOf(tenantId, stripe);
  if (paymentMethod) await stripe.attachPaymentMethod(customerId, paymentMethod);
  const key = `warden-${tenantId}-${plan.id}-v${acct.version}`;
  let sub: SubscriptionState | undefined;
  const live = acct.subscriptionId && acct.subscriptionStatus !== "canceled";
  if (plan.id === "free") {
    sub = live && acct.subscriptionId ? await stripe.cancelSubscription(acct.subscriptionId) : undefined;
  } else if (live && acct.subscriptionId && acct.subscriptionItemId) {
    sub = await stripe.changePrice({
      subscriptionId: acct.subscriptionId,
      itemId: acct.subscriptionItemId,
      priceId: priceOf(plan.id),
      idempotencyKey: key,
    });
  } else {
    sub = await stripe.createSubscription({ customerId, priceId: priceOf(plan.id), idempotencyKey: key });
  }
  const confirmed =
    plan.id === "free"
      ? !sub || sub.status === "canceled"
      : sub !== undefined && ["active", "trialing"].includes(sub.status) && planOfPrice(sub.priceId ?? "") === plan.id;
  const fresh = (await getAccount(tenantId, true)) ?? acct;
  await updateAccount(fresh, {
    ...(sub
      ? {
          subscriptionId: sub.id,
          subscriptionItemId: sub.itemId,
          subscriptionStatus: sub.status,
          stateAt: Math.max(fresh.stateAt, sub.at),
        }
      : {}),
    pendingPlan: confirmed ? null : plan.id,
  });
  if (confirmed) await setTenantPlan(tenantId, plan.id);
  log.info("plan change sent to Stripe", { tenantId, plan: plan.id, status: sub?.status, confirmed });
  const status: ChangeStatus = confirmed ? "active" : sub?.clientSecret ? "requires_action" : "pending";
  return {
    previous,
    plan,
    status,
    direction,
    effectiveDate: confirmed ? new Date().toISOString() : null,
    clientSecret: status === "requires_action" ? (sub?.clientSecret ?? null) : null,
  };
}

function notConfigured(): never {
  throw new Conflict(
    "Stripe is not configured in this deployment (STRIPE_SECRET_KEY): plan changes apply directly with POST /api/billing/upgrade",
  );
}

/** A Stripe Checkout Session for a paid plan (beyond the spec): the customer pays on Stripe's page. */
export async function checkout(tenantId: string, planId: "pro" | "enterprise") {
  const stripe = (await payments()) ?? notConfigured();
  const { customerId } = await customerOf(tenantId, stripe);
  const base = billingSettings().WARDEN_PUBLIC_URL.replace(/\/$/, "");
  return stripe.checkoutSession({
    customerId,
    priceId: priceOf(planId),
    tenantId,
    successUrl: `${base}/billing?checkout=success&session_id={CHECKOUT_SESSION_ID}`,
    cancelUrl: `${base}/billing?checkout=canceled`,
  });
}

/** A Stripe Customer Portal session (payment methods, invoices, cancellation). */
export async function portal(tenantId: string) {
  const stripe = (await payments()) ?? notConfigured();
  const { customerId } = await customerOf(tenantId, stripe);
  const base = billingSettings().WARDEN_PUBLIC_URL.replace(/\/$/, "");
  return stripe.portalSession({ customerId, returnUrl: `${base}/billing` });
}

export async function billingAccount(tenantId: string) {
  return getAccount(tenantId);
}
