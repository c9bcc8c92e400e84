/**
 * Sign-in, sign-up and sign-out: one user store behind every login route of every surface.
 * Plain functions with typed inputs; no HTTP or Lambda types here.
 *
 * A sign-in passes, in order: the source address's block (brute-force defence), the password
 * (always verified, so every refusal costs the same), the account's lock, then — when the user
 * has a second factor, or must have one — a 2FA challenge. It ends in a session whose token may
 * be restricted: to a password change (forced or expired password) or to 2FA enrolment (a role
 * that requires 2FA, none enrolled).
 */

import { decoyHash, hashPassword, verifyPassword } from "#shared/auth/passwords.ts";
import { DEFAULT_ROLE } from "#shared/auth/permissions.ts";
import type { IssuedToken, TokenRestriction } from "#shared/auth/tokens.ts";
import { challengeKey } from "#shared/identity/db/login-sessions.ts";
import {
  createUserItems,
  getUserWithSessions,
  loginKey,
  type NewUser,
  normalizeLogin,
  parseLoginPointer,
  type User,
} from "#shared/identity/db/users.ts";
import { Conflict, Invalid, Unauthorized } from "#shared/kit/errors.ts";
import { tableName } from "#shared/table/client.ts";
import { keys } from "#shared/table/keys.ts";
import {
  batchGet,
  type Item,
  newItemPut,
  nextId,
  transact,
  updateVersioned,
  versionedUpdateItem,
} from "#shared/table/repo.ts";
import { createTenantItems, tenantSlug } from "#shared/tenancy/db/tenants.ts";
import {
  type AuthPolicy,
  DEFAULT_AUTH_POLICY,
  getAuthPolicy,
  MAX_HISTORY,
  passwordExpired,
  twoFactorRequired,
} from "./auth-policy.ts";
import { isLocked } from "./authenticate.ts";
import { blockedUntil, type IpTrip, ipDefenceOn, ipFailKey, recordIpFailure } from "./brute-force.ts";
import { type ClientMeta, endSession, prepareSession, type TransactItem } from "./login-sessions.ts";
import { assertPasswordMeetsPolicy } from "./password-rules.ts";
import type { Principal } from "./principal.ts";
import { assertMayAssignRole, requireRole } from "./roles.ts";
import {
  CHALLENGE_MAX_ATTEMPTS,
  checkSecondFactor,
  issueChallenge,
  parseChallenge,
  parseChallengeToken,
} from "./two-factor.ts";

export type { ClientMeta } from "./login-sessions.ts";

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

export interface SessionLogin {
  kind: "session";
  user: User;
  token: IssuedToken;
  /** Set when the token is good only for changing the password or enrolling a second factor. */
  restriction?: TokenRestriction;
  events: AuthEvent[];
}

export interface ChallengeLogin {
  kind: "challenge";
  user: User;
  challengeToken: string;
  methods: string[];
  expiresIn: number;
  events: AuthEvent[];
}

export type LoginResult = SessionLogin | ChallengeLogin;

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

/** The restriction a fresh session of this user gets, if any. */
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
export async function login(name: string, password: string, meta: ClientMeta): Promise<LoginResult> {
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
      getUserWithSessions(tenantId, userId, true),
      getAuthPolicy(tenantId, true),
    ]);
    if (!found) {
      await verifyPassword(password, await decoyHash());
      throw new LoginFailed([]);
    }
    const { user, sessions } = found;
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
      return await openSession(user, sessions, policy, meta, now, base, { method: "password" });
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
export async function completeTwoFactorLogin(
  challengeToken: string,
  code: string,
  meta: ClientMeta,
): Promise<SessionLogin> {
  const ref = parseChallengeToken(challengeToken);
  if (!ref) throw new LoginFailed([]);
  for (let attempt = 0; ; attempt++) {
    const now = Date.now();
    const [challengeItem, ipItem] = await batchGet([challengeKey(ref.tenantId, ref.digest), ipFailKey(meta.ip)], true);
    const challenge = parseChallenge(challengeItem, now);
    if (!challenge) throw new LoginFailed([]);
    const [found, policy] = await Promise.all([
      getUserWithSessions(ref.tenantId, challenge.userId, true),
      getAuthPolicy(ref.tenantId, true),
    ]);
    if (!found) throw new LoginFailed([]);
    const { user, sessions } = found;
    const base: Base = { tenantId: ref.tenantId, userId: user.id, username: user.username };
    const key = challengeKey(ref.tenantId, ref.digest);
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
          ? transact([{ Delete: { TableName: tableName, Key: key } }])
          : updateVersioned(key, challenge.version, { attempts: challenge.attempts + 1 }, "Challenge"));
        const trips = await recordIpFailure(
          meta.ip,
          { normalizedName: normalizeLogin(user.username), tenantId: ref.tenantId, policy },
          now,
        );
        throw new LoginFailed([...events, ...tripEvents(trips)]);
      }
      // The challenge is consumed in the same transaction as the session: it answers once.
      const consume: TransactItem = {
        Delete: { TableName: tableName, Key: key, ConditionExpression: "attribute_exists(PK)" },
      };
      return await openSession(
        user,
        sessions,
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

/** Issues the session of a successful sign-in and records it on the user (counter reset, last login). */
async function openSession(
  user: User,
  sessions: Parameters<typeof prepareSession>[1],
  policy: AuthPolicy,
  meta: ClientMeta,
  now: number,
  base: Base,
  details: Record<string, unknown>,
  userChanges: Item = {},
  extraItems: TransactItem[] = [],
): Promise<SessionLogin> {
  const restriction = loginRestriction(user, policy, now);
  const session = await prepareSession(user, sessions, policy, meta, restriction);
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
  await transact([
    versionedUpdateItem(keys.user(user.tenantId, user.id), user.version, changes),
    ...extraItems,
    ...session.items,
  ]);
  const fresh: User = { ...user, ...(changes as Partial<User>), version: user.version + 1 };
  return {
    kind: "session",
    user: fresh,
    token: session.token,
    ...(restriction ? { restriction } : {}),
    events: [
      {
        ...base,
        event: "Login",
        eventType: "login",
        status: "success",
        details: {
          session_id: session.token.jti,
          ...details,
          ...(restriction ? { restricted_to: restriction } : {}),
          ...(session.evicted.length ? { sessions_revoked: session.evicted.length } : {}),
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
  await updateVersioned(
    keys.user(base.tenantId, user.id),
    user.version,
    {
      failedAttempts: attempts,
      failedWindowStart: inWindow ? user.failedWindowStart : new Date(now).toISOString(),
      ...(lock ? { status: "locked", lockedUntil, lockReason: "Too many failed login attempts" } : {}),
    },
    "User",
  );
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

export interface PasswordFields {
  passwordHash: string;
  passwordHistory: string[];
  passwordChangedAt: string;
}

/**
 * Checks a new password against the tenant's policy — including, for an existing user, the last
 * `history_size` passwords (the current one counts) when `prevent_reuse` is on — and hashes it.
 * The cheap checks run first, so a refused password costs no hashing.
 */
export async function preparePassword(
  password: string,
  policy: AuthPolicy,
  opts: { username: string; field?: string; current?: Pick<User, "passwordHash" | "passwordHistory"> },
): Promise<PasswordFields> {
  const pp = policy.password_policy;
  assertPasswordMeetsPolicy(password, pp, { username: opts.username, field: opts.field });
  const remembered =
    opts.current && pp.prevent_reuse
      ? [opts.current.passwordHash, ...opts.current.passwordHistory].slice(0, pp.history_size)
      : [];
  if (remembered.length > 0) {
    const matches = await Promise.all(remembered.map((h) => verifyPassword(password, h)));
    if (matches.some(Boolean))
      assertPasswordMeetsPolicy(password, pp, { username: opts.username, field: opts.field, reused: true });
  }
  const keep = pp.prevent_reuse ? Math.min(MAX_HISTORY, pp.history_size) - 1 : 0;
  const passwordHistory =
    opts.current && keep > 0 ? [opts.current.passwordHash, ...opts.current.passwordHistory].slice(0, keep) : [];
  return { passwordHash: await hashPassword(password), passwordHistory, passwordChangedAt: new Date().toISOString() };
}

export interface SignupInput {
  organization: string;
  username: string;
  email: string;
  password: string;
}

/**
 * Self-service signup: a new tenant on the free plan with this user as its admin. The new admin's
 * first token is not restricted to 2FA enrolment (the default policy requires 2FA for admins):
 * the organization has nothing in it yet, and its first sign-in will ask for the enrolment.
 */
export async function signup(
  input: SignupInput,
  meta: ClientMeta = { ip: "0.0.0.0", userAgent: "" },
): Promise<SessionLogin> {
  const tenantId = tenantSlug(input.organization);
  if (tenantId.length < 2) {
    throw new Invalid("body.organization: must contain at least two letters or digits", [
      { loc: ["body", "organization"], msg: "must contain at least two letters or digits", type: "value_error" },
    ]);
  }
  const policy = DEFAULT_AUTH_POLICY;
  const password = await preparePassword(input.password, policy, { username: input.username });
  const now = new Date().toISOString();
  const tenant = createTenantItems({ id: tenantId, name: input.organization.trim(), plan: "free", createdAt: now });
  const user = {
    ...newUser({
      tenantId,
      id: 1,
      username: input.username,
      email: input.email,
      fullName: "",
      role: "admin",
      permissions: ["*"],
      now,
    }),
    ...password,
  };
  const userWrites = createUserItems(user);
  const session = await prepareSession({ tenantId, id: 1, role: "admin" }, [], policy, meta);
  await transact(
    [
      ...tenant.items,
      newItemPut({ ...keys.counter(tenantId, "user"), type: "Counter", value: 1 }),
      ...userWrites.items,
      ...session.items,
    ],
    [...tenant.conflicts, `organization '${tenantId}' already exists`, ...userWrites.conflicts],
  );
  const created: User = { ...user, passwordHash: "", type: "User", version: 1 };
  return {
    kind: "session",
    user: created,
    token: session.token,
    events: [
      {
        tenantId,
        userId: 1,
        username: user.username,
        event: "Organization Created",
        eventType: "tenant_created",
        status: "success",
        details: { organization: tenantId, plan: "free", session_id: session.token.jti },
      },
    ],
  };
}

export interface RegisterInput {
  username: string;
  email: string;
  password: string;
  fullName?: string;
  role?: string;
}

/**
 * Creates a user in the caller's tenant. The least-privileged role unless the caller asks for
 * another (built-in or one of the tenant's custom roles), and nobody may create a user with
 * permissions they do not hold themselves.
 */
export async function register(caller: Principal, input: RegisterInput): Promise<User> {
  const role = await requireRole(caller.tenantId, input.role ?? DEFAULT_ROLE, ["body", "role"]);
  assertMayAssignRole(caller, role);
  const policy = await getAuthPolicy(caller.tenantId);
  const password = await preparePassword(input.password, policy, { username: input.username });
  return createUser(caller.tenantId, { ...input, role: role.id, permissions: role.permissions, password });
}

export interface CreateUserInput {
  username: string;
  email: string;
  fullName?: string;
  role: string;
  permissions: string[];
  /** A password already checked against the policy and hashed by `preparePassword`. */
  password: PasswordFields;
  forcePasswordChange?: boolean;
  twoFactorEnabled?: boolean;
  notes?: string | null;
}

export async function createUser(tenantId: string, input: CreateUserInput): Promise<User> {
  const id = await nextId(tenantId, "user");
  const now = new Date().toISOString();
  const user: NewUser = {
    ...newUser({ tenantId, id, ...input, fullName: input.fullName ?? "", now }),
    ...input.password,
    forcePasswordChange: input.forcePasswordChange ?? false,
    twoFactorEnabled: input.twoFactorEnabled ?? false,
    notes: input.notes ?? null,
  };
  const writes = createUserItems(user);
  await transact(writes.items, writes.conflicts);
  return { ...user, type: "User", version: 1 };
}

const COLORS = ["indigo", "orange", "teal", "rose", "amber", "sky", "violet", "emerald"];

function newUser(u: {
  tenantId: string;
  id: number;
  username: string;
  email: string;
  fullName: string;
  role: string;
  permissions: string[];
  now: string;
}): NewUser {
  return {
    tenantId: u.tenantId,
    id: u.id,
    username: u.username,
    email: u.email,
    fullName: u.fullName,
    role: u.role,
    permissions: u.permissions,
    status: "active",
    passwordHash: "",
    passwordChangedAt: u.now,
    passwordHistory: [],
    forcePasswordChange: false,
    twoFactorEnabled: false,
    twoFactorMethod: null,
    twoFactorSecret: null,
    twoFactorPending: null,
    backupCodes: [],
    lastTotpStep: 0,
    phone: null,
    notes: null,
    loginCount: 0,
    lastLogin: null,
    failedAttempts: 0,
    failedWindowStart: null,
    lockedUntil: null,
    lockReason: null,
    tokensValidAfter: 0,
    avatarColor: COLORS[u.id % COLORS.length] ?? "indigo",
    createdAt: u.now,
    updatedAt: u.now,
  };
}

/** Revokes one access token until it would have expired anyway, and ends its session. */
export async function revokeToken(tenantId: string, jti: string, exp: number): Promise<void> {
  await endSession(tenantId, jti, exp);
}
