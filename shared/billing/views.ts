/**
 * Billing on the wire (securenet's `data`), each answer next to the zod schema that describes it
 * (for the OpenAPI document and the contract tests).
 */
import * as z from "zod/mini";
import type { Plan } from "./plans.ts";
import type { PlanChange } from "./subscriptions.ts";
import type { MonthUsage, UsageSnapshot } from "./usage.ts";
import type { WebhookOutcome } from "./webhook.ts";

const int = z.number().check(z.int());

export const PlanFeaturesView = z.object({
  devices: int,
  scans_per_month: int,
  log_retention_days: int,
  audit_retention_days: int,
  email_alerts: z.boolean(),
  api_access: z.boolean(),
  ml_detection: z.boolean(),
  compliance_reporting: z.boolean(),
  priority_support: z.boolean(),
});

export const PlanView = z.object({
  id: z.string(),
  name: z.string(),
  price: z.number(),
  currency: z.string(),
  billing_period: z.string(),
  features: PlanFeaturesView,
  overage_prices: z.object({ devices: z.nullable(z.number()), scans: z.nullable(z.number()) }),
});

export const planView = (p: Plan): z.infer<typeof PlanView> => ({
  id: p.id,
  name: p.name,
  price: p.price,
  currency: p.currency,
  billing_period: p.billingPeriod,
  features: {
    devices: p.limits.devices,
    scans_per_month: p.limits.scansPerMonth,
    log_retention_days: p.limits.logRetentionDays,
    audit_retention_days: p.limits.auditRetentionMaxDays,
    email_alerts: p.limits.emailAlerts,
    api_access: p.limits.apiAccess,
    ml_detection: p.limits.mlDetection,
    compliance_reporting: p.limits.complianceReporting,
    priority_support: p.limits.prioritySupport,
  },
  overage_prices: { devices: p.overage.devices, scans: p.overage.scans },
});

export const PlansView = z.object({ plans: z.array(PlanView) });
export const plansView = (plans: Plan[]): z.infer<typeof PlansView> => ({ plans: plans.map(planView) });

export const PlanSummaryView = z.object({ id: z.string(), name: z.string(), price: z.number(), device_limit: int });
const planSummary = (p: Plan): z.infer<typeof PlanSummaryView> => ({
  id: p.id,
  name: p.name,
  price: p.price,
  device_limit: p.limits.devices,
});

export const UsageMonthView = z.object({
  month: z.string(),
  device_count: int,
  scan_count: int,
  log_count: int,
  api_requests: int,
});
export const usageMonthView = (m: MonthUsage): z.infer<typeof UsageMonthView> => ({
  month: m.month,
  device_count: m.devices,
  scan_count: m.scans,
  log_count: m.logs,
  api_requests: m.apiRequests,
});

export const UsageView = z.object({
  current_plan: PlanSummaryView,
  current_usage: z.object({
    devices: int,
    scans_this_month: int,
    logs_this_month: int,
    api_requests_this_month: int,
  }),
  usage_history: z.array(UsageMonthView),
  overage_charges: z.object({ devices: z.number(), scans: z.number(), total: z.number() }),
});
export const usageView = (
  s: UsageSnapshot,
  months: MonthUsage[],
  overage: { devices: number; scans: number; total: number },
): z.infer<typeof UsageView> => ({
  current_plan: planSummary(s.plan),
  current_usage: {
    devices: s.devices,
    scans_this_month: s.month.scans,
    logs_this_month: s.month.logs,
    api_requests_this_month: s.month.apiRequests,
  },
  usage_history: months.map(usageMonthView),
  overage_charges: overage,
});

export const CurrentPlanView = z.object({
  plan: PlanSummaryView,
  usage: z.object({ devices: int, scans_this_month: int }),
  limits: z.object({ devices_remaining: int, scans_remaining: int }),
  subscription: z.object({
    status: z.nullable(z.string()),
    pending_plan: z.nullable(z.string()),
    grace_until: z.nullable(z.string()),
    trial_end: z.nullable(z.string()),
    stripe_configured: z.boolean(),
    notices: z.array(z.object({ at: z.string(), message: z.string() })),
  }),
});
export const currentPlanView = (
  s: UsageSnapshot,
  acct:
    | {
        subscriptionStatus?: string;
        pendingPlan?: string | null;
        graceUntil?: string | null;
        trialEnd?: string | null;
        notices: { at: string; message: string }[];
      }
    | undefined,
  stripeConfigured: boolean,
): z.infer<typeof CurrentPlanView> => ({
  plan: planSummary(s.plan),
  usage: { devices: s.devices, scans_this_month: s.month.scans },
  limits: { devices_remaining: s.limits.devices.remaining, scans_remaining: s.limits.scans.remaining },
  subscription: {
    status: acct?.subscriptionStatus ?? null,
    pending_plan: acct?.pendingPlan ?? null,
    grace_until: acct?.graceUntil ?? null,
    trial_end: acct?.trialEnd ?? null,
    stripe_configured: stripeConfigured,
    notices: acct?.notices ?? [],
  },
});

const LimitStateView = z.object({ current: int, limit: int, remaining: int });
export const LimitsCheckView = z.object({
  within_limits: z.boolean(),
  limits: z.object({ devices: LimitStateView, scans: LimitStateView }),
  warnings: z.array(z.string()),
});
export const limitsCheckView = (
  s: UsageSnapshot,
  within: boolean,
  warnings: string[],
): z.infer<typeof LimitsCheckView> => ({
  within_limits: within,
  limits: { devices: s.limits.devices, scans: s.limits.scans },
  warnings,
});

const MESSAGES: Record<PlanChange["status"], (c: PlanChange) => string> = {
  active: (c) => `Plan ${c.direction === "downgrade" ? "downgraded" : "upgraded"} successfully`,
  pending: (c) => `Plan change to '${c.plan.id}' sent to Stripe; it applies once Stripe confirms the payment`,
  requires_action: () =>
    "The payment needs the customer's confirmation (3-D Secure): confirm it with the client secret",
  unchanged: (c) => `The organization is already on the '${c.plan.id}' plan`,
};

export const UpgradeView = z.object({
  message: z.string(),
  new_plan: PlanSummaryView,
  previous_plan: PlanSummaryView,
  status: z.enum(["active", "pending", "requires_action", "unchanged"]),
  effective_date: z.nullable(z.string()),
  client_secret: z.nullable(z.string()),
});
export const upgradeView = (c: PlanChange): z.infer<typeof UpgradeView> => ({
  message: MESSAGES[c.status](c),
  new_plan: planSummary(c.plan),
  previous_plan: planSummary(c.previous),
  status: c.status,
  effective_date: c.effectiveDate,
  client_secret: c.clientSecret,
});

export const CheckoutView = z.object({ session_id: z.string(), url: z.string() });
export const checkoutView = (s: { id: string; url: string }): z.infer<typeof CheckoutView> => ({
  session_id: s.id,
  url: s.url,
});

export const PortalView = z.object({ url: z.string() });
export const portalView = (s: { url: string }): z.infer<typeof PortalView> => ({ url: s.url });

export const WebhookView = z.object({
  received: z.boolean(),
  event_id: z.string(),
  type: z.string(),
  result: z.enum(["handled", "duplicate", "stale", "ignored"]),
});
export const webhookView = (o: WebhookOutcome): z.infer<typeof WebhookView> => ({
  received: true,
  event_id: o.eventId,
  type: o.type,
  result: o.result,
});

export const UsageExportView = z.object({
  export_format: z.enum(["json", "csv"]),
  organization_id: z.string(),
  usage_data: z.array(UsageMonthView),
});
export const usageExportView = (tenantId: string, months: MonthUsage[]): z.infer<typeof UsageExportView> => ({
  export_format: "json",
  organization_id: tenantId,
  usage_data: months.map(usageMonthView),
});

/** The CSV export: a header and one row per month (every value is a number or a `yyyy-mm`, nothing to quote). */
export function usageCsv(months: MonthUsage[]): string {
  const rows = months.map((m) => [m.month, m.devices, m.scans, m.logs, m.apiRequests].join(","));
  return `${["month", "device_count", "scan_count", "log_count", "api_requests"].join(",")}\n${rows.join("\n")}\n`;
}
