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
 *
 * Concurrency: a sign-in never answers 409. The password is hashed once per request; failures are
 * counted atomically (account-failures.ts); a second factor is used up atomically (a backup code
 * or a TOTP step passes once, a challenge allows at most its attempts however many requests race);
 * and the completed sign-in is recorded on the user without a version check, under the conditions
 * that matter (same password, no revocation, not locked or deactivated meanwhile).
 */

import { decoyHash, verifyPassword } from "#shared/auth/passwords.ts";
import type { IssuedToken, TokenRestriction } from "#shared/auth/tokens.ts";
import { ipFailKey } from "#shared/identity/db/ip-failures.ts";
import {
  endLoginSessionItems,
  getUserWithLoginSessions,
  type LoginSession,
} from "#shared/identity/db/login-sessions.ts";
import { challengeConsume, challengeKey, reserveChallengeAttempt } from "#shared/identity/db/two-factor-challenges.ts";
import { loginKey, normalizeLogin, parseLoginPointer, recordSignIn, type User } from "#shared/identity/db/users.ts";
import { Conflict, Unauthorized } from "#shared/kit/errors.ts";
import { batchGet, transact } from "#shared/table/repo.ts";
import { type AccountRef, type AuthEvent, failedSignIn, recordAccountFailure } from "./account-failures.ts";
import { isLocked } from "./account-status.ts";
import {
  type AuthPolicy,
  DEFAULT_AUTH_POLICY,
  passwordExpired,
  signInSettings,
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
  useSecondFactor,
} from "./two-factor.ts";

export type { AuthEvent } from "./account-failures.ts";

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

const tripEvents = (trips: IpTrip[]): AuthEvent[] => trips.map((t) => ({ ...t, status: "success" }));

/** The restriction a fresh login session of this user gets, if any. */
export function loginRestriction(user: User, policy: AuthPolicy, now = Date.now()): TokenRestriction | undefined {
  if (user.forcePasswordChange || passwordExpired(user, policy, now)) return "password_change";
  if (twoFactorRequired(user, policy) && !user.twoFactorMethod) return "two_factor_enrollment";
  return undefined;
}

/** Why an account may not sign in now, or undefined. */
const refusal = (user: User, now: number): string | undefined =>
  user.status === "inactive" ? "account_inactive" : isLocked(user, now) ? "account_locked" : undefined;

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
  const [found, { policy, ttlSeconds }] = await Promise.all([
    getUserWithLoginSessions(tenantId, userId, true),
    signInSettings(tenantId),
  ]);
  if (!found) {
    await verifyPassword(password, await decoyHash());
    throw new LoginFailed([]);
  }
  const { user, loginSessions } = found;
  const base: AccountRef = { tenantId, userId: user.id, username: user.username };
  if (ipBlocked && ipDefenceOn(policy)) throw new LoginFailed([failedSignIn(base, "ip_blocked", { ip: meta.ip })]);
  // Hashed once per request, whatever happens next: a refusal costs what a success costs.
  const ok = await verifyPassword(password, user.passwordHash);
  const now = Date.now();
  const ipFailure = async () =>
    ok ? [] : tripEvents(await recordIpFailure(meta.ip, { normalizedName: normalized, tenantId, policy }, now));
  const refused = refusal(user, now);
  if (refused) throw new LoginFailed([failedSignIn(base, refused), ...(await ipFailure())]);
  if (!ok) {
    const events = await recordAccountFailure(user, policy, "invalid_credentials", now);
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
  return openLoginSession(user, loginSessions, policy, meta, now, base, { method: "password" }, [], ttlSeconds);
}

/**
 * Second step of a sign-in with 2FA: the challenge from the first step and a code (TOTP, the
 * emailed/SMS code, or a backup code, which is used up). Answers like a sign-in. Each code checked
 * first takes one of the challenge's attempts, so at most CHALLENGE_MAX_ATTEMPTS codes are ever
 * checked against one challenge, however many requests race on it.
 */
export async function completeTwoFactorSignIn(
  challengeToken: string,
  code: string,
  meta: ClientMeta,
): Promise<SignedIn> {
  const ref = parseChallengeToken(challengeToken);
  if (!ref) throw new LoginFailed([]);
  const now = Date.now();
  const [challengeItem, ipItem] = await batchGet([challengeKey(ref.tenantId, ref.digest), ipFailKey(meta.ip)], true);
  if (!parseChallenge(challengeItem, now)) throw new LoginFailed([]);
  const challenge = await reserveChallengeAttempt(
    ref.tenantId,
    ref.digest,
    CHALLENGE_MAX_ATTEMPTS,
    Math.floor(now / 1000),
  );
  if (!challenge) throw new LoginFailed([]);
  const [found, { policy, ttlSeconds }] = await Promise.all([
    getUserWithLoginSessions(ref.tenantId, challenge.userId, true),
    signInSettings(ref.tenantId),
  ]);
  if (!found) throw new LoginFailed([]);
  const { user, loginSessions } = found;
  const base: AccountRef = { tenantId: ref.tenantId, userId: user.id, username: user.username };
  if (blockedUntil(ipItem, now) > 0 && ipDefenceOn(policy)) {
    throw new LoginFailed([failedSignIn(base, "ip_blocked", { ip: meta.ip })]);
  }
  const refused = refusal(user, now);
  if (refused) throw new LoginFailed([failedSignIn(base, refused)]);
  const check = await checkSecondFactor(user, code, challenge, now);
  // A code another request used first (the same backup code, the same TOTP step) counts as wrong.
  if (!check.ok || !(await useSecondFactor(user, check))) {
    const events = await recordAccountFailure(user, policy, "invalid_2fa_code", now);
    const trips = await recordIpFailure(
      meta.ip,
      { normalizedName: normalizeLogin(user.username), tenantId: ref.tenantId, policy },
      now,
    );
    throw new LoginFailed([...events, ...tripEvents(trips)]);
  }
  // The challenge is consumed in the same transaction as the login session: it answers once.
  const details: Record<string, unknown> = { method: check.method ?? "2fa" };
  if (check.consumes && "backupCode" in check.consumes) details.backup_codes_remaining = user.backupCodes.length - 1;
  return openLoginSession(
    user,
    loginSessions,
    policy,
    meta,
    now,
    base,
    details,
    [challengeConsume(ref.tenantId, ref.digest)],
    ttlSeconds,
  );
}

/**
 * Issues the login session of a successful sign-in: the session items (with those it pushes out)
 * in one transaction, then the sign-in recorded on the user (counter reset, last login). When the
 * account changed in between (locked, deactivated, password changed, revoked) the fresh session
 * is ended again and the sign-in fails as a sign-in does — never with a 409.
 */
async function openLoginSession(
  user: User,
  loginSessions: LoginSession[],
  policy: AuthPolicy,
  meta: ClientMeta,
  now: number,
  base: AccountRef,
  details: Record<string, unknown>,
  extraItems: TransactItem[] = [],
  ttlSeconds?: number,
): Promise<SignedIn> {
  const restriction = loginRestriction(user, policy, now);
  const loginSession = await prepareLoginSession(user, loginSessions, policy, meta, restriction, ttlSeconds);
  try {
    await transact([...extraItems, ...loginSession.items]);
  } catch (e) {
    // Only the challenge can refuse here: another request completed it first.
    if (e instanceof Conflict) throw new LoginFailed([failedSignIn(base, "challenge_used")]);
    throw e;
  }
  if (!(await recordSignIn(user, now))) {
    await transact(endLoginSessionItems(loginSession.record));
    throw new LoginFailed([failedSignIn(base, "account_changed")]);
  }
  const fresh: User = {
    ...user,
    status: "active",
    failedAttempts: 0,
    failedWindowStart: null,
    lockedUntil: null,
    lockReason: null,
    lastLogin: new Date(now).toISOString(),
    loginCount: user.loginCount + 1,
    version: user.version + 1,
  };
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
        },
      },
    ],
  };
}

/** Sign-out: revokes one access token until it would have expired anyway, and ends its login session. */
export async function signOut(tenantId: string, jti: string, exp: number): Promise<void> {
  await endLoginSession(tenantId, jti, exp);
}
