/**
 * Stripe webhook events. A delivery is verified (signature over the raw body, 300 s tolerance)
 * before anything else; each event id is handled once (a redelivery changes nothing); an event
 * older than the state already applied (Stripe does not promise order) changes nothing; an event
 * for an unknown customer or of an unhandled type is acknowledged and logged, so Stripe does not
 * retry it for days. A handling failure gives the event id back and fails the delivery, so
 * Stripe's retry handles it.
 *
 * Failed payments: the paid plan is kept for a grace period (`WARDEN_BILLING_GRACE_DAYS`); a
 * further failed attempt after it, or Stripe ending the subscription, moves the tenant to free with
 * a notice.
 */
import { Invalid, ServiceUnavailable } from "#shared/kit/errors.ts";
import { log } from "#shared/kit/log.ts";
import { setTenantPlan } from "#shared/tenancy/tenants.ts";
import { type Stripe, verifyWebhook } from "./adapters/stripe.ts";
import {
  type BillingAccount,
  claimEvent,
  createAccount,
  getAccount,
  releaseEvent,
  tenantOfCustomer,
  updateAccount,
} from "./db/accounts.ts";
import { billingSettings, loadBillingSettings, planOfPrice } from "./settings.ts";

export const HANDLED_EVENTS = [
  "checkout.session.completed",
  "customer.subscription.created",
  "customer.subscription.updated",
  "customer.subscription.deleted",
  "invoice.paid",
  "invoice.payment_failed",
  "customer.subscription.trial_will_end",
] as const;

export interface WebhookOutcome {
  eventId: string;
  type: string;
  /** handled, duplicate (seen before), stale (older than the applied state), ignored (unknown customer or type). */
  result: "handled" | "duplicate" | "stale" | "ignored";
  tenantId?: string;
  /** What changed for the tenant, in words (audited and kept on the account as a notice). */
  notice?: string;
}

/**
 * Verifies a delivery's `Stripe-Signature` over the raw body. Without a webhook secret the
 * deployment cannot verify anything: 503 (not configured — Stripe retries, and the operator sees
 * the log line), never a 400 that blames the sender.
 */
export async function verifyStripeDelivery(rawBody: Buffer, signature: string | undefined): Promise<Stripe.Event> {
  const secret = (await loadBillingSettings()).STRIPE_WEBHOOK_SECRET;
  if (!secret) {
    log.error("Stripe webhook received but STRIPE_WEBHOOK_SECRET is not configured");
    throw new ServiceUnavailable("Stripe webhooks are not configured in this deployment (STRIPE_WEBHOOK_SECRET)");
  }
  if (!signature) throw new Invalid("Stripe-Signature header is required");
  try {
    return verifyWebhook(rawBody, signature, secret);
  } catch (e) {
    const why = e instanceof Error ? e.message : "invalid";
    throw new Invalid(
      `Stripe-Signature: ${why.includes("tolerance") ? "timestamp outside the tolerance" : "signature verification failed"}`,
    );
  }
}

/** Verifies, deduplicates and handles one delivery. */
export async function receiveStripeWebhook(rawBody: Buffer, signature: string | undefined): Promise<WebhookOutcome> {
  const event = await verifyStripeDelivery(rawBody, signature);
  if (!(await claimEvent(event.id, event.type))) {
    return { eventId: event.id, type: event.type, result: "duplicate" };
  }
  try {
    const outcome = await handle(event);
    log.info("stripe event", { id: event.id, type: event.type, result: outcome.result, tenantId: outcome.tenantId });
    return outcome;
  } catch (e) {
    await releaseEvent(event.id);
    throw e;
  }
}

const idOf = (v: string | { id: string } | null | undefined): string | undefined =>
  typeof v === "string" ? v : (v?.id ?? undefined);

async function accountOf(customerId: string | undefined, fallbackTenant?: string | null) {
  const tenantId = (customerId && (await tenantOfCustomer(customerId))) || undefined;
  const resolved = tenantId ?? fallbackTenant ?? undefined;
  if (!resolved) return undefined;
  let acct = await getAccount(resolved, true);
  if (!acct && fallbackTenant) {
    await createAccount(resolved).catch(() => undefined);
    acct = await getAccount(resolved, true);
  }
  return acct;
}

function notices(acct: BillingAccount, message: string, at: Date) {
  return [...acct.notices, { at: at.toISOString(), message }].slice(-20);
}

async function handle(event: Stripe.Event): Promise<WebhookOutcome> {
  const base = { eventId: event.id, type: event.type };
  const at = new Date(event.created * 1000);
  switch (event.type) {
    case "checkout.session.completed": {
      const session = event.data.object;
      const acct = await accountOf(idOf(session.customer), session.client_reference_id);
      if (!acct) return ignored(base, "unknown customer");
      const subscriptionId = idOf(session.subscription);
      if (subscriptionId && !acct.subscriptionId) await updateAccount(acct, { subscriptionId });
      return { ...base, result: "handled", tenantId: acct.tenantId };
    }
    case "customer.subscription.created":
    case "customer.subscription.updated":
    case "customer.subscription.deleted": {
      const sub = event.data.object;
      const acct = await accountOf(idOf(sub.customer));
      if (!acct) return ignored(base, "unknown customer");
      if (event.created < acct.stateAt) return { ...base, result: "stale", tenantId: acct.tenantId };
      if (acct.subscriptionId && acct.subscriptionId !== sub.id && event.type === "customer.subscription.deleted") {
        // An older subscription of this customer ended; the current one stands.
        return { ...base, result: "stale", tenantId: acct.tenantId };
      }
      const item = sub.items.data[0];
      const ended =
        event.type === "customer.subscription.deleted" ||
        ["canceled", "unpaid", "incomplete_expired"].includes(sub.status);
      const paidPlan = planOfPrice(item?.price.id ?? "");
      const live = ["active", "trialing"].includes(sub.status);
      const plan = ended ? "free" : live ? paidPlan : undefined;
      await updateAccount(acct, {
        subscriptionId: sub.id,
        subscriptionItemId: item?.id,
        subscriptionStatus: ended ? "canceled" : sub.status,
        stateAt: event.created,
        trialEnd: sub.trial_end ? new Date(sub.trial_end * 1000).toISOString() : null,
        ...(plan ? { pendingPlan: null } : {}),
        ...(ended
          ? { graceUntil: null, notices: notices(acct, "Subscription ended: the organization is on the free plan", at) }
          : {}),
      });
      if (!plan) return { ...base, result: "handled", tenantId: acct.tenantId };
      const before = await setTenantPlan(acct.tenantId, plan);
      return {
        ...base,
        result: "handled",
        tenantId: acct.tenantId,
        ...(before !== plan
          ? { notice: `Plan changed from '${before}' to '${plan}' (Stripe subscription ${sub.status})` }
          : {}),
      };
    }
    case "invoice.paid": {
      const invoice = event.data.object;
      const acct = await accountOf(idOf(invoice.customer));
      if (!acct) return ignored(base, "unknown customer");
      if (acct.graceUntil) await updateAccount(acct, { graceUntil: null });
      return { ...base, result: "handled", tenantId: acct.tenantId };
    }
    case "invoice.payment_failed": {
      const invoice = event.data.object;
      const acct = await accountOf(idOf(invoice.customer));
      if (!acct) return ignored(base, "unknown customer");
      const graceDays = billingSettings().WARDEN_BILLING_GRACE_DAYS;
      if (!acct.graceUntil) {
        const until = new Date(at.getTime() + graceDays * 86_400_000).toISOString();
        const notice = `Payment failed: the plan is kept until ${until}; update the payment method (POST /api/billing/portal)`;
        await updateAccount(acct, { graceUntil: until, notices: notices(acct, notice, at) });
        return { ...base, result: "handled", tenantId: acct.tenantId, notice };
      }
      if (at.getTime() < Date.parse(acct.graceUntil)) return { ...base, result: "handled", tenantId: acct.tenantId };
      const notice = "Payment still failing after the grace period: the organization is on the free plan";
      await updateAccount(acct, { notices: notices(acct, notice, at), pendingPlan: null });
      await setTenantPlan(acct.tenantId, "free");
      return { ...base, result: "handled", tenantId: acct.tenantId, notice };
    }
    case "customer.subscription.trial_will_end": {
      const sub = event.data.object;
      const acct = await accountOf(idOf(sub.customer));
      if (!acct) return ignored(base, "unknown customer");
      const ends = sub.trial_end ? new Date(sub.trial_end * 1000).toISOString() : "soon";
      const notice = `Trial ends ${ends}: add a payment method to keep the plan`;
      await updateAccount(acct, { notices: notices(acct, notice, at), trialEnd: sub.trial_end ? ends : null });
      return { ...base, result: "handled", tenantId: acct.tenantId, notice };
    }
    default:
      return ignored(base, "unhandled type");
  }
}

function ignored(base: { eventId: string; type: string }, why: string): WebhookOutcome {
  log.info("stripe event acknowledged and ignored", { ...base, why });
  return { ...base, result: "ignored" };
}
