/**
 * Business metrics in CloudWatch embedded metric format (Powertools Metrics): one EMF line on
 * stdout per event, which CloudWatch Logs turns into a metric of namespace `Warden` — no API call,
 * no extra permission. The monitoring stack graphs them and alarms on lockout spikes
 * (infra/constructs/monitoring.ts reads the same names).
 *
 * Dimensions stay low-cardinality: only `service` ("warden"). Never a tenant id, user or gateway:
 * each distinct dimension value is a billed custom metric (thousands of tenants would be
 * thousands of metrics) and would put tenant ids into CloudWatch's metric catalogue. Who and which
 * tenant is in the audit trail and the logs; the metric only says how many.
 *
 * Emitted in Lambda only (AWS_LAMBDA_FUNCTION_NAME is set there); local mode and the tests keep
 * stdout clean. `POWERTOOLS_METRICS_DISABLED` overrides either way (`false` shows the EMF lines
 * locally). An in-process tally counts every event in all modes, for tests to observe.
 */
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";

export const METRICS_NAMESPACE = "Warden";
export const SERVICE = "warden";

/** Every business metric Warden emits (infra/stacks/monitoring-stack.ts graphs them all). */
export type BusinessMetric =
  /** A completed sign-in (a token was issued). */
  | "LoginSucceeded"
  /** A refused proof of identity: wrong password or code, at sign-in or on a route that asks for one. */
  | "LoginFailed"
  /** An account locked by the failed-attempt policy. */
  | "Lockouts"
  /** A desired configuration the control plane could not write to a gateway's shadow. */
  | "ShadowSyncFailures";

function emitting(): boolean {
  const disabled = process.env.POWERTOOLS_METRICS_DISABLED;
  if (disabled !== undefined) return !["1", "true", "yes", "on"].includes(disabled.trim().toLowerCase());
  return !!process.env.AWS_LAMBDA_FUNCTION_NAME;
}

let metrics: Metrics | undefined;
const tally = new Map<BusinessMetric, number>();

/** Counts one occurrence (or `count`) of a business event; `context` goes to the EMF line as metadata, never as a dimension. */
export function countEvent(name: BusinessMetric, count = 1, context: Record<string, string | number> = {}): void {
  tally.set(name, (tally.get(name) ?? 0) + count);
  if (count <= 0 || !emitting()) return;
  try {
    metrics ??= new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE });
    // A single-metric instance flushes on `addMetric`: nothing is held across invocations.
    const one = metrics.singleMetric();
    for (const [key, value] of Object.entries(context)) one.addMetadata(key, String(value));
    one.addMetric(name, MetricUnit.Count, count);
  } catch {
    // A metric is never worth failing the request it describes.
  }
}

/** How many times `name` was counted in this process (tests). */
export function countedEvents(name: BusinessMetric): number {
  return tally.get(name) ?? 0;
}
