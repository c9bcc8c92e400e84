/**
 * What a tenant used, from the real counters: devices = registered gateways (the device slot
 * counter, limits.ts), scans and ingested gateway events per month (db/usage.ts), API requests
 * per month (metered in the rate limiter's UpdateItem, shared/tenancy/rate-limit.ts). Overage is
 * priced from the plan's data.
 */
import { apiRequestsByMonth } from "#shared/tenancy/rate-limit.ts";
import { getTenant } from "#shared/tenancy/tenants.ts";
import { addLogs, deviceCount, type UsageMonth, usageMonths } from "./db/usage.ts";
import { monthOf } from "./limits.ts";
import { type Plan, planOf } from "./plans.ts";

export interface MonthUsage {
  month: string;
  devices: number;
  scans: number;
  logs: number;
  apiRequests: number;
}

export interface LimitState {
  current: number;
  limit: number;
  remaining: number;
}

export interface UsageSnapshot {
  tenantId: string;
  plan: Plan;
  devices: number;
  month: MonthUsage;
  limits: { devices: LimitState; scans: LimitState };
}

/** Adds ingested gateway events to the month's `logs` (the ingest calls this once per batch). */
export async function recordIngestedEvents(tenantId: string, count: number, now = new Date()): Promise<void> {
  await addLogs(tenantId, monthOf(now), count);
}

/** `yyyy-mm` of the `n` months ending with `now`'s, newest first. */
export function lastMonths(n: number, now = new Date()): string[] {
  return Array.from({ length: n }, (_, i) =>
    new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - i, 1)).toISOString().slice(0, 7),
  );
}

const limitState = (current: number, limit: number): LimitState => ({
  current,
  limit,
  remaining: Math.max(0, limit - current),
});

function monthUsage(month: string, counters: UsageMonth, apiRequests: number, devices: number): MonthUsage {
  return { month, devices, scans: counters.scans, logs: counters.logs, apiRequests };
}

/** The current month, the plan and where the tenant stands against its limits. */
export async function usageSnapshot(tenantId: string, now = new Date()): Promise<UsageSnapshot> {
  const history = await usageHistory(tenantId, 1, now);
  return history.snapshot;
}

/** The snapshot and the last `months` months (newest first). */
export async function usageHistory(
  tenantId: string,
  months: number,
  now = new Date(),
): Promise<{ snapshot: UsageSnapshot; months: MonthUsage[] }> {
  const wanted = lastMonths(months, now);
  const first = wanted[wanted.length - 1] ?? monthOf(now);
  const current = wanted[0] ?? monthOf(now);
  const [tenant, devices, counters, requests] = await Promise.all([
    getTenant(tenantId),
    deviceCount(tenantId),
    usageMonths(tenantId, wanted),
    apiRequestsByMonth(tenantId, first, current),
  ]);
  const plan = planOf(tenant?.plan);
  const registered = devices ?? 0;
  const rows = wanted.map((m, i) => {
    const c = counters[i] ?? { scans: 0, logs: 0, gatewayScans: 0, cloudScans: 0, peakDevices: 0 };
    // Past months show the month's device peak; the current month the devices registered now.
    return monthUsage(m, c, requests.get(m) ?? 0, i === 0 ? registered : c.peakDevices);
  });
  const month = rows[0] ?? { month: current, devices: registered, scans: 0, logs: 0, apiRequests: 0 };
  return {
    snapshot: {
      tenantId,
      plan,
      devices: registered,
      month,
      limits: {
        devices: limitState(registered, plan.limits.devices),
        scans: limitState(month.scans, plan.limits.scansPerMonth),
      },
    },
    months: rows,
  };
}

/** Charges for the month's use beyond the plan's soft limits, in dollars (cents rounded). */
export function overageCharges(s: UsageSnapshot): { devices: number; scans: number; total: number } {
  const price = (over: number, unit: number | null) => (unit === null ? 0 : Math.round(over * unit * 100) / 100);
  const devices = price(Math.max(0, s.devices - s.plan.limits.devices), s.plan.overage.devices);
  const scans = price(Math.max(0, s.month.scans - s.plan.limits.scansPerMonth), s.plan.overage.scans);
  return { devices, scans, total: Math.round((devices + scans) * 100) / 100 };
}

/** Usage at or above this share of a limit is warned about. */
export const WARNING_SHARE = 0.8;

export function limitWarnings(s: UsageSnapshot): string[] {
  const out: string[] = [];
  for (const [name, l] of Object.entries(s.limits)) {
    if (l.limit <= 0) continue;
    const share = l.current / l.limit;
    if (l.current > l.limit) out.push(`${name}: ${l.current} exceeds the '${s.plan.id}' plan's limit of ${l.limit}`);
    else if (share >= WARNING_SHARE) {
      out.push(
        `${name}: ${l.current} of ${l.limit} used (${Math.floor(share * 100)}% of the '${s.plan.id}' plan's limit)`,
      );
    }
  }
  return out;
}

export const withinLimits = (s: UsageSnapshot): boolean => Object.values(s.limits).every((l) => l.current <= l.limit);
