/**
 * Sign-in and sign-out: one user store behind every login route of every surface, and the
 * counting of failed attempts (per account here, per address in brute-force.ts). Plain functions
 * with typed inputs; no HTTP or Lambda types here.
 *
 * A sign-in passes, in order: the source address's block (brute-force defence), the password
 * (always verified, so every refusal costs the same), the account's lock, then — when the user
 * has a second factor, or must have one — a 2FA challenge. It ends in a login session whose token
 * may be restricted: to a password change (forced or expired password) or to 2FA enrolment (a
 * role that requires 2FA, none enrolled).
 */

import { decoyHash, verifyPassword } from "#shared/auth/passwords.ts";
import type { IssuedToken, TokenRestriction } from "#shared/auth/tokens.ts";
import { ipFailKey } from "#shared/identity/db/ip-failures.ts";
import { getUserWithLoginSessions, type LoginSession } from "#shared/identity/db/login-sessions.ts";
import {
  challengeConsume,
  challengeKey,
  countChallengeAttempt,
  deleteChallenge,
} from "#shared/identity/db/two-factor-challenges.ts";
import {
  loginKey,
  normalizeLogin,
  parseLoginPointer,
  type User,
  updateUserItem,
  userUpdateItem,
} from "#shared/identity/db/users.ts";
import { Conflict, Invalid, Unauthorized } from "#shared/kit/errors.ts";
import { batchGet, type Item, transact } from "#shared/table/repo.ts";
import { isLocked } from "./account-status.ts";
import {
  type AuthPolicy,
  DEFAULT_AUTH_POLICY,
  getAuthPolicy,
  passwordExpired,
  twoFactorRequired,
} from "./auth-policy.ts";
import { blockedUntil, type IpTrip, ipDefenceOn, recordIpFailure } from "./brute-force.ts";
import { type ClientMeta, endLoginSession, prepareLoginSession, type TransactItem } from "./login-sessions.ts";
import {
  CHALLENGE_MAX_ATTEMPTS,
  checkSecondFactor,
  issueChallenge,
  parseChallenge,
  parseChallengeToken,
} from "./two-factor.ts";

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

export interface SignedIn {
  kind: "signedIn";
  user: User;
  token: IssuedToken;
  /** Set when the token is good only for changing the password or enrolling a second factor. */
  restriction?: TokenRestriction;
  events: AuthEvent[];
}

export interface TwoFactorChallengeIssued {
  kind: "challenge";
  user: User;
  challengeToken: string;
  methods: string[];
  expiresIn: number;
  events: AuthEvent[];
}

export type SignInResult = SignedIn | TwoFactorChallengeIssued;

/** The one message for every failed sign-in, so the answer is no oracle for names, locks or blocks. */
const BAD_CREDENTIALS = "Invalid username or password";

export class LoginFailed extends Unauthorized {
  constructor(readonly events: AuthEvent[]) {
    super(BAD_CREDENTIALS);
  }
}

/** A refused password proof on an authenticated route (change password): a 400 that is still audited. */
export class PasswordRejected extends Invalid {
  constructor(
    field: string,
    msg: string,
    readonly events: AuthEvent[],
  ) {
    super(`body.${field}: ${msg}`, [{ loc: ["body", field], msg, type: "value_error" }]);
  }
}

type Base = { tenantId: string; userId: number; username: string };

const tripEvents = (trips: IpTrip[]): AuthEvent[] => trips.map((t) => ({ ...t, status: "success" }));

const failed = (base: Base, reason: string, extra: Record<string, unknown> = {}): AuthEvent => ({
  ...base,
  event: "Failed Login",
  eventType: "login_failed",
  status: "failed",
  details: { reason, ...extra },
});

/** The restriction a fresh login session of this user gets, if any. */
export function loginRestriction(user: User, policy: AuthPolicy, now = Date.now()): TokenRestriction | undefined {
  if (user.forcePasswordChange || passwordExpired(user, policy, now)) return "password_change";
  if (twoFactorRequired(user, policy) && !user.twoFactorMethod) return "two_factor_enrollment";
  return undefined;
}

/**
 * Verifies a username-or-email and password. A locked account, a blocked address and an unknown
 * name all answer exactly like a wrong password; repeated failures inside the policy's window
 * lock the account for its duration, and failures per address block the address.
 */
export async function signIn(name: string, password: string, meta: ClientMeta): Promise<SignInResult> {
  const normalized = normalizeLogin(name);
  const [pointerItem, ipItem] = await batchGet([loginKey(normalized), ipFailKey(meta.ip)]);
  const pointer = parseLoginPointer(pointerItem);
  const ipBlocked = blockedUntil(ipItem) > 0;
  if (!pointer) {
    if (ipBlocked) throw new LoginFailed([]);
    await verifyPassword(password, await decoyHash());
    throw new LoginFailed(
      tripEvents(await recordIpFailure(meta.ip, { normalizedName: normalized, policy: DEFAULT_AUTH_POLICY })),
    );
  }
  const { tenantId, userId } = pointer;
  for (let attempt = 0; ; attempt++) {
    const [found, policy] = await Promise.all([
      getUserWithLoginSessions(tenantId, userId, true),
      getAuthPolicy(tenantId, true),
    ]);
    if (!found) {
      await verifyPassword(password, await decoyHash());
      throw new LoginFailed([]);
    }
    const { user, loginSessions } = found;
    const base: Base = { tenantId, userId: user.id, username: user.username };
    if (ipBlocked && ipDefenceOn(policy)) throw new LoginFailed([failed(base, "ip_blocked", { ip: meta.ip })]);
    const ok = await verifyPassword(password, user.passwordHash);
    const now = Date.now();
    const ipFailure = async () =>
      ok ? [] : tripEvents(await recordIpFailure(meta.ip, { normalizedName: normalized, tenantId, policy }, now));
    try {
      if (isLocked(user, now) || user.status === "inactive") {
        const reason = user.status === "inactive" ? "account_inactive" : "account_locked";
        throw new LoginFailed([failed(base, reason), ...(await ipFailure())]);
      }
      if (!ok) {
        const events = await recordAccountFailure(user, policy, now, base, "invalid_credentials");
        throw new LoginFailed([...events, ...(await ipFailure())]);
      }
      if (user.twoFactorMethod && twoFactorRequired(user, policy)) {
        // The failure counter is left as it is: only a passed second factor resets it, so a known
        // password cannot be used to clear the lockout count while codes are being guessed.
        const challenge = await issueChallenge(user, now);
        await transact([challenge.item]);
        return {
          kind: "challenge",
          user,
          challengeToken: challenge.token,
          methods: challenge.methods,
          expiresIn: challenge.expiresIn,
          events: [
            {
              ...base,
              event: "2FA Challenge Issued",
              eventType: "two_factor_challenge",
              status: "success",
              details: { methods: challenge.methods },
            },
          ],
        };
      }
      return await openLoginSession(user, loginSessions, policy, meta, now, base, { method: "password" });
    } catch (e) {
      // Two sign-ins raced on the same user item: read it again and re-decide.
      if (e instanceof Conflict && attempt < 3) continue;
      throw e;
    }
  }
}

/**
 * Second step of a sign-in with 2FA: the challenge from the first step and a code (TOTP, the
 * emailed/SMS code, or a backup code, which is used up). Answers like a sign-in.
 */
export async function completeTwoFactorSignIn(
  challengeToken: string,
  code: string,
  meta: ClientMeta,
): Promise<SignedIn> {
  const ref = parseChallengeToken(challengeToken);
  if (!ref) throw new LoginFailed([]);
  for (let attempt = 0; ; attempt++) {
    const now = Date.now();
    const [challengeItem, ipItem] = await batchGet([challengeKey(ref.tenantId, ref.digest), ipFailKey(meta.ip)], true);
    const challenge = parseChallenge(challengeItem, now);
    if (!challenge) throw new LoginFailed([]);
    const [found, policy] = await Promise.all([
      getUserWithLoginSessions(ref.tenantId, challenge.userId, true),
      getAuthPolicy(ref.tenantId, true),
    ]);
    if (!found) throw new LoginFailed([]);
    const { user, loginSessions } = found;
    const base: Base = { tenantId: ref.tenantId, userId: user.id, username: user.username };
    try {
      if (blockedUntil(ipItem, now) > 0 && ipDefenceOn(policy))
        throw new LoginFailed([failed(base, "ip_blocked", { ip: meta.ip })]);
      if (isLocked(user, now) || user.status === "inactive") {
        throw new LoginFailed([failed(base, user.status === "inactive" ? "account_inactive" : "account_locked")]);
      }
      const check = await checkSecondFactor(user, code, challenge, now);
      if (!check.ok) {
        const events = await recordAccountFailure(user, policy, now, base, "invalid_2fa_code");
        // A challenge tolerates a few wrong codes; then the password step must be repeated.
        await (challenge.attempts + 1 >= CHALLENGE_MAX_ATTEMPTS
          ? deleteChallenge(ref.tenantId, ref.digest)
          : countChallengeAttempt(ref.tenantId, ref.digest, challenge));
        const trips = await recordIpFailure(
          meta.ip,
          { normalizedName: normalizeLogin(user.username), tenantId: ref.tenantId, policy },
          now,
        );
        throw new LoginFailed([...events, ...tripEvents(trips)]);
      }
      // The challenge is consumed in the same transaction as the login session: it answers once.
      const consume: TransactItem = challengeConsume(ref.tenantId, ref.digest);
      return await openLoginSession(
        user,
        loginSessions,
        policy,
        meta,
        now,
        base,
        { method: check.method ?? "2fa" },
        check.changes,
        [consume],
      );
    } catch (e) {
      if (e instanceof Conflict && attempt < 3) continue;
      throw e;
    }
  }
}

/** Issues the login session of a successful sign-in and records it on the user (counter reset, last login). */
async function openLoginSession(
  user: User,
  loginSessions: LoginSession[],
  policy: AuthPolicy,
  meta: ClientMeta,
  now: number,
  base: Base,
  details: Record<string, unknown>,
  userChanges: Item = {},
  extraItems: TransactItem[] = [],
): Promise<SignedIn> {
  const restriction = loginRestriction(user, policy, now);
  const loginSession = await prepareLoginSession(user, loginSessions, policy, meta, restriction);
  const changes: Item = {
    status: "active",
    failedAttempts: 0,
    failedWindowStart: null,
    lockedUntil: null,
    lockReason: null,
    lastLogin: new Date(now).toISOString(),
    loginCount: user.loginCount + 1,
    ...userChanges,
  };
  await transact([userUpdateItem(user, changes), ...extraItems, ...loginSession.items]);
  const fresh: User = { ...user, ...(changes as Partial<User>), version: user.version + 1 };
  return {
    kind: "signedIn",
    user: fresh,
    token: loginSession.token,
    ...(restriction ? { restriction } : {}),
    events: [
      {
        ...base,
        event: "Login",
        eventType: "login",
        status: "success",
        details: {
          session_id: loginSession.token.jti,
          ...details,
          ...(restriction ? { restricted_to: restriction } : {}),
          ...(loginSession.evicted.length ? { sessions_revoked: loginSession.evicted.length } : {}),
          ...("backupCodes" in userChanges ? { backup_codes_remaining: user.backupCodes.length - 1 } : {}),
        },
      },
    ],
  };
}

/** Counts a failed attempt on the account and locks it at the policy's threshold; answers the audit events. */
async function recordAccountFailure(
  user: User,
  policy: AuthPolicy,
  now: number,
  base: Base,
  reason: string,
): Promise<AuthEvent[]> {
  const p = policy.account_protection;
  const windowMs = p.lockout_window * 60_000;
  const inWindow = user.failedWindowStart !== null && now - new Date(user.failedWindowStart).getTime() < windowMs;
  const attempts = (inWindow ? user.failedAttempts : 0) + 1;
  const lock = attempts >= p.lockout_attempts;
  const lockedUntil = lock ? new Date(now + p.lockout_duration * 60_000).toISOString() : null;
  await updateUserItem(user, {
    failedAttempts: attempts,
    failedWindowStart: inWindow ? user.failedWindowStart : new Date(now).toISOString(),
    ...(lock ? { status: "locked", lockedUntil, lockReason: "Too many failed login attempts" } : {}),
  });
  const events: AuthEvent[] = [failed(base, reason, { attempt_count: attempts, lockout_triggered: lock })];
  if (lock) {
    events.push({
      ...base,
      event: "Account Locked",
      eventType: "account_locked",
      status: "success",
      severity: "high",
      details: { reason: "Too many failed login attempts", attempts, locked_until: lockedUntil },
    });
  }
  return events;
}

/** Counts a wrong current password given to an authenticated route (change password) like a failed sign-in. */
export async function recordPasswordFailure(user: User, policy: AuthPolicy): Promise<AuthEvent[]> {
  return recordAccountFailure(
    user,
    policy,
    Date.now(),
    { tenantId: user.tenantId, userId: user.id, username: user.username },
    "invalid_current_password",
  );
}

/** Sign-out: revokes one access token until it would have expired anyway, and ends its login session. */
export async function signOut(tenantId: string, jti: string, exp: number): Promise<void> {
  await endLoginSession(tenantId, jti, exp);
}
