/**
 * Hands a sign-in's auth events to the request's audit trail, on success and on failure alike,
 * and counts the ones the business metrics track (shared/kit/metrics.ts), so the metrics and the
 * audit trail agree.
 */
import { type AuthEvent, ProofRejected } from "#shared/identity/account-failures.ts";
import { LoginFailed } from "#shared/identity/sign-in.ts";
import type { AuditNote } from "./endpoint.ts";
import { type BusinessMetric, countEvent } from "./metrics.ts";

/** Audit event types → the business metric each counts. */
const COUNTED: Record<string, BusinessMetric> = {
  login: "LoginSucceeded",
  login_failed: "LoginFailed",
  account_locked: "Lockouts",
};

export async function withAuthEvents<T extends { events: AuthEvent[] }>(
  audit: (note: AuditNote) => void,
  run: () => Promise<T>,
): Promise<T> {
  const record = (events: AuthEvent[]) => {
    for (const e of events) {
      const metric = COUNTED[e.eventType];
      if (metric) countEvent(metric);
      audit({
        tenantId: e.tenantId,
        userId: e.userId,
        user: e.username,
        event: e.event,
        eventType: e.eventType,
        status: e.status,
        severity: e.severity,
        details: e.details,
      });
    }
  };
  try {
    const result = await run();
    record(result.events);
    return result;
  } catch (e) {
    if (e instanceof LoginFailed || e instanceof ProofRejected) record(e.events);
    throw e;
  }
}
