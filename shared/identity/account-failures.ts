/**
 * Failed proofs of identity — a wrong password or code at sign-in, and the same on an
 * authenticated route that asks for one (change password, disable 2FA, confirm 2FA enrolment) —
 * all count towards one account lockout, atomically (db/users.ts `countAccountFailure`): however
 * many requests race, every failure is counted and the account locks at the policy's threshold.
 * Without that, a stolen login session could guess the password forever through a route that asks
 * for it.
 */
import { countAccountFailure, lockAccountAfterFailures, type User } from "#shared/identity/db/users.ts";
import { Invalid } from "#shared/kit/errors.ts";
import type { AuthPolicy } from "./auth-policy.ts";

/** What a route handler records about an auth event (the kit writes it to the audit trail). */
export interface AuthEvent {
  tenantId: string;
  /** Absent for events about an address rather than an account (an IP block). */
  userId?: number;
  username?: string;
  event: string;
  eventType: string;
  status: "success" | "failed";
  severity?: "info" | "warning" | "high" | "critical";
  details?: Record<string, unknown>;
}

export type AccountRef = { tenantId: string; userId: number; username: string };

export const failedSignIn = (base: AccountRef, reason: string, extra: Record<string, unknown> = {}): AuthEvent => ({
  ...base,
  event: "Failed Login",
  eventType: "login_failed",
  status: "failed",
  details: { reason, ...extra },
});

export const LOCKOUT_REASON = "Too many failed login attempts";

/** Counts a failed proof on the account and locks it at the policy's threshold; answers the audit events. */
export async function recordAccountFailure(
  user: Pick<User, "tenantId" | "id" | "username">,
  policy: AuthPolicy,
  reason: string,
  now = Date.now(),
): Promise<AuthEvent[]> {
  const p = policy.account_protection;
  const base: AccountRef = { tenantId: user.tenantId, userId: user.id, username: user.username };
  const attempts = await countAccountFailure(user, now, p.lockout_window * 60_000);
  const lockedUntil = new Date(now + p.lockout_duration * 60_000).toISOString();
  // Of the requests that reach the threshold together, one locks the account; it is locked once.
  const locked =
    attempts >= p.lockout_attempts ? await lockAccountAfterFailures(user, lockedUntil, LOCKOUT_REASON, now) : false;
  const events: AuthEvent[] = [failedSignIn(base, reason, { attempt_count: attempts, lockout_triggered: locked })];
  if (locked) {
    events.push({
      ...base,
      event: "Account Locked",
      eventType: "account_locked",
      status: "success",
      severity: "high",
      details: { reason: LOCKOUT_REASON, attempts, locked_until: lockedUntil },
    });
  }
  return events;
}

/**
 * A refused proof on an authenticated route (wrong current password, wrong code): a 400 naming
 * the field, whose failure was counted and is still audited.
 */
export class ProofRejected extends Invalid {
  constructor(
    field: string,
    msg: string,
    readonly events: AuthEvent[],
  ) {
    super(`body.${field}: ${msg}`, [{ loc: ["body", field], msg, type: "value_error" }]);
  }
}

/** Counts the failure, then refuses: `throw await rejectProof(...)`. */
export async function rejectProof(
  user: Pick<User, "tenantId" | "id" | "username">,
  policy: AuthPolicy,
  field: string,
  reason: string,
): Promise<ProofRejected> {
  const msg = field === "code" ? "invalid or expired code" : "incorrect password";
  return new ProofRejected(field, msg, await recordAccountFailure(user, policy, reason));
}
