/**
 * Plan limits, enforced where they are used (every surface calls these): registering a gateway,
 * counting a scan, authenticating with an API key, training or predicting with a model, and the
 * retention of ingested events and of the audit trail. Counting is atomic (a conditional
 * UpdateItem), so concurrent uses never pass the last free place together. A refusal is
 * SUBSCRIPTION_LIMIT_EXCEEDED (402 for a count, 403 for a feature the plan lacks) naming the
 * limit, the current value and the cheapest plan that lifts it; each surface renders it in its own
 * envelope.
 */
import { AppError, type FieldIssue } from "#shared/kit/errors.ts";
import { getTenant, type Tenant } from "#shared/tenancy/tenants.ts";
import {
  countScan,
  deviceCount,
  releaseDeviceSlot as giveBackSlot,
  initDeviceCount,
  raiseDevicePeak,
  takeDeviceSlot,
} from "./db/usage.ts";
import { type Plan, type PlanLimits, planOf, planThatLifts } from "./plans.ts";

/** A use the tenant's plan does not allow. */
export class PlanLimitExceeded extends AppError {
  constructor(
    status: 402 | 403,
    message: string,
    readonly limit: string,
    issues: FieldIssue[],
  ) {
    super(status, "SUBSCRIPTION_LIMIT_EXCEEDED", message, issues);
  }
}

const WIRE_NAMES: Partial<Record<keyof PlanLimits, string>> = {
  devices: "devices",
  scansPerMonth: "scans_per_month",
  apiAccess: "api_access",
  mlDetection: "ml_detection",
  auditRetentionMaxDays: "audit_retention_days",
};

function refuse(plan: Plan, limit: keyof PlanLimits, current: number | boolean, wanted: number | true): never {
  const name = WIRE_NAMES[limit] ?? limit;
  const lifts = planThatLifts(limit, wanted);
  const allowed = plan.limits[limit];
  const what =
    typeof allowed === "boolean"
      ? `The '${plan.id}' plan does not include ${name} (${name}: false)`
      : `The '${plan.id}' plan allows ${name} up to ${allowed}; current: ${current}`;
  const how = lifts && lifts.id !== plan.id ? `; the '${lifts.id}' plan lifts it (POST /api/billing/upgrade)` : "";
  throw new PlanLimitExceeded(typeof allowed === "boolean" ? 403 : 402, `${what}${how}`, name, [
    { loc: ["plan", name], msg: `${what}${how}`, type: "subscription_limit" },
  ]);
}

export const monthOf = (d = new Date()): string => d.toISOString().slice(0, 7);

export async function planOfTenant(tenantId: string): Promise<Plan> {
  return planOf((await getTenant(tenantId))?.plan);
}

/**
 * Takes one device place for a gateway being registered (`registered`: the tenant's gateways now,
 * which starts the counter of a fleet that predates it). Give it back with `releaseDeviceSlot` if
 * the registration fails, and when the gateway is deregistered.
 */
export async function reserveDeviceSlot(tenantId: string, registered: number): Promise<void> {
  const plan = await planOfTenant(tenantId);
  if ((await deviceCount(tenantId, true)) === undefined) await initDeviceCount(tenantId, registered);
  const hard = plan.overage.devices === null ? plan.limits.devices : null;
  const count = await takeDeviceSlot(tenantId, hard);
  if (count === undefined) {
    const current = (await deviceCount(tenantId, true)) ?? registered;
    refuse(plan, "devices", current, current + 1);
  }
  await raiseDevicePeak(tenantId, monthOf(), count);
}

export async function releaseDeviceSlot(tenantId: string): Promise<void> {
  await giveBackSlot(tenantId);
}

/**
 * The tenant's registered gateways as the device-slot counter counts them (one GetItem), or
 * undefined for a fleet registered before the counter existed. A registration takes its slot
 * before the gateway is recorded, so during one the count may include it already.
 */
export async function registeredDevices(tenantId: string): Promise<number | undefined> {
  return deviceCount(tenantId, true);
}

/**
 * Counts one scan (gateway config scans, cloud-account scans) against the month's allowance, or
 * refuses it when the plan's scan limit is hard and reached. Call it when the scan is started.
 */
export async function countScanUse(tenantId: string, kind: "gateway" | "cloud", now = new Date()): Promise<number> {
  const plan = await planOfTenant(tenantId);
  const hard = plan.overage.scans === null ? plan.limits.scansPerMonth : null;
  const month = monthOf(now);
  const total = await countScan(tenantId, month, kind === "gateway" ? "gatewayScans" : "cloudScans", hard);
  if (total === undefined) refuse(plan, "scansPerMonth", plan.limits.scansPerMonth, plan.limits.scansPerMonth + 1);
  return total;
}

/** API keys authenticate only for tenants whose plan has `api_access` (the tenant comes with the key's lookup). */
export function assertApiAccess(tenant: Pick<Tenant, "plan"> | undefined): void {
  const plan = planOf(tenant?.plan);
  if (!plan.limits.apiAccess) refuse(plan, "apiAccess", false, true);
}

/** Model training and prediction need `ml_detection`. */
export async function assertMlDetection(tenantId: string): Promise<void> {
  const plan = await planOfTenant(tenantId);
  if (!plan.limits.mlDetection) refuse(plan, "mlDetection", false, true);
}

/** Audit retention may be set up to the plan's bound. */
export async function assertAuditRetention(tenantId: string, days: number): Promise<void> {
  const plan = await planOfTenant(tenantId);
  if (days > plan.limits.auditRetentionMaxDays) refuse(plan, "auditRetentionMaxDays", days, days);
}

const RETENTION_CACHE_MS = 60_000;
const retentionCache = new Map<string, { days: number; at: number }>();

/**
 * Days ingested gateway events are kept: the plan's `log_retention_days`. Cached per container for
 * a minute (ingest runs per event batch; a plan change reaches it within the minute).
 */
export async function logRetentionDays(tenantId: string): Promise<number> {
  const hit = retentionCache.get(tenantId);
  if (hit && Date.now() - hit.at < RETENTION_CACHE_MS) return hit.days;
  const days = (await planOfTenant(tenantId)).limits.logRetentionDays;
  if (retentionCache.size > 1000) retentionCache.clear();
  retentionCache.set(tenantId, { days, at: Date.now() });
  return days;
}
