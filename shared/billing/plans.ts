/**
 * The subscription plans, as data: what each one costs, what it allows, and what usage beyond a
 * limit costs. Every limit is enforced where it is used (limits.ts); a limit whose overage price is
 * `null` is hard (the use is refused with SUBSCRIPTION_LIMIT_EXCEEDED), one with a price is soft
 * (the use goes through and is billed per unit through Stripe Billing Meters).
 */
export type PlanId = "free" | "pro" | "enterprise";

export const PLAN_IDS = ["free", "pro", "enterprise"] as const satisfies readonly PlanId[];

export interface PlanLimits {
  devices: number;
  scansPerMonth: number;
  logRetentionDays: number;
  /** The longest audit-trail retention a tenant may set. */
  auditRetentionMaxDays: number;
  emailAlerts: boolean;
  apiAccess: boolean;
  mlDetection: boolean;
  complianceReporting: boolean;
  prioritySupport: boolean;
}

export interface Plan {
  id: PlanId;
  name: string;
  /** Whole US dollars per month. */
  price: number;
  currency: "USD";
  billingPeriod: "month";
  limits: PlanLimits;
  /** Dollars per unit beyond the limit; null = the limit is hard. */
  overage: { devices: number | null; scans: number | null };
  /** Rank for upgrade/downgrade. */
  rank: number;
}

export const PLANS: Record<PlanId, Plan> = {
  free: {
    id: "free",
    name: "Free",
    price: 0,
    currency: "USD",
    billingPeriod: "month",
    rank: 0,
    limits: {
      devices: 5,
      scansPerMonth: 10,
      logRetentionDays: 7,
      auditRetentionMaxDays: 90,
      emailAlerts: true,
      apiAccess: false,
      mlDetection: false,
      complianceReporting: false,
      prioritySupport: false,
    },
    overage: { devices: null, scans: null },
  },
  pro: {
    id: "pro",
    name: "Pro",
    price: 99,
    currency: "USD",
    billingPeriod: "month",
    rank: 1,
    limits: {
      devices: 50,
      scansPerMonth: 500,
      logRetentionDays: 30,
      auditRetentionMaxDays: 365,
      emailAlerts: true,
      apiAccess: true,
      mlDetection: true,
      complianceReporting: false,
      prioritySupport: false,
    },
    overage: { devices: null, scans: 0.5 },
  },
  enterprise: {
    id: "enterprise",
    name: "Enterprise",
    price: 499,
    currency: "USD",
    billingPeriod: "month",
    rank: 2,
    limits: {
      devices: 1000,
      scansPerMonth: 10000,
      logRetentionDays: 365,
      auditRetentionMaxDays: 2555,
      emailAlerts: true,
      apiAccess: true,
      mlDetection: true,
      complianceReporting: true,
      prioritySupport: true,
    },
    overage: { devices: 5, scans: 0.1 },
  },
};

export const isPlanId = (v: unknown): v is PlanId =>
  typeof v === "string" && (PLAN_IDS as readonly string[]).includes(v);

/** The tenant item stores the plan as a string; anything unknown is treated as the free plan. */
export const planOf = (id: string | undefined): Plan => (isPlanId(id) ? PLANS[id] : PLANS.free);

/** The cheapest plan that allows `wanted` of a numeric limit, or that turns a feature on. */
export function planThatLifts(limit: keyof PlanLimits, wanted: number | true): Plan | undefined {
  return Object.values(PLANS)
    .sort((a, b) => a.rank - b.rank)
    .find((p) => {
      const v = p.limits[limit];
      return typeof v === "boolean" ? v : wanted === true || v >= wanted;
    });
}

/** Every plan, cheapest first. */
export const listPlans = (): Plan[] => Object.values(PLANS).sort((a, b) => a.rank - b.rank);
