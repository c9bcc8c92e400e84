/**
 * Sign-in, sign-up and sign-out: one user store behind every login route of every surface.
 * Plain functions with typed inputs; no HTTP or Lambda types here.
 */
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { isLocked } from "#shared/auth/authenticate.ts";
import { decoyHash, hashPassword, verifyPassword } from "#shared/auth/passwords.ts";
import { BUILT_IN_ROLES, coversAll, DEFAULT_ROLE } from "#shared/auth/permissions.ts";
import type { Principal } from "#shared/auth/principal.ts";
import { type IssuedToken, issueAccessToken } from "#shared/auth/tokens.ts";
import { db, tableName } from "#shared/db/client.ts";
import { keys } from "#shared/db/keys.ts";
import { batchGet, getItem, nextId, transact, updateVersioned } from "#shared/db/repo.ts";
import { createTenantItems, tenantSlug } from "#shared/db/tenants.ts";
import { createUserItems, findLogin, type NewUser, parseUser, type User } from "#shared/db/users.ts";
import { Conflict, Forbidden, Invalid, Unauthorized } from "#shared/errors.ts";
import { type AuthPolicy, authPolicyKey, resolveAuthPolicy } from "./auth-policy.ts";
import { assertPasswordMeetsPolicy } from "./password-rules.ts";

/** What a route handler records about an auth event (the kit writes it to the audit trail). */
export interface AuthEvent {
  tenantId: string;
  userId: number;
  username: string;
  event: string;
  eventType: string;
  status: "success" | "failed";
  severity?: "info" | "warning" | "high";
  details?: Record<string, unknown>;
}

export interface LoginResult {
  user: User;
  token: IssuedToken;
  events: AuthEvent[];
}

/** The one message for every failed sign-in, so the answer is no oracle for names or locks. */
const BAD_CREDENTIALS = "Invalid username or password";

export class LoginFailed extends Unauthorized {
  constructor(readonly events: AuthEvent[]) {
    super(BAD_CREDENTIALS);
  }
}

const ROLE_PERMISSIONS = (role: string) => BUILT_IN_ROLES[role]?.permissions ?? [];

/**
 * Verifies a username-or-email and password. A locked account answers exactly like a wrong
 * password; repeated failures inside the policy's window lock the account for its duration.
 */
export async function login(name: string, password: string): Promise<LoginResult> {
  const pointer = await findLogin(name);
  if (!pointer) {
    await verifyPassword(password, await decoyHash());
    throw new LoginFailed([]);
  }
  const { tenantId, userId } = pointer;
  for (let attempt = 0; ; attempt++) {
    const [userItem, policyItem] = await batchGet([keys.user(tenantId, userId), authPolicyKey(tenantId)], true);
    const user = parseUser(userItem);
    if (!user) {
      await verifyPassword(password, await decoyHash());
      throw new LoginFailed([]);
    }
    const policy = resolveAuthPolicy(policyItem);
    const ok = await verifyPassword(password, user.passwordHash);
    const base = { tenantId, userId: user.id, username: user.username };
    const now = new Date();
    try {
      if (isLocked(user, now.getTime()) || user.status === "inactive") {
        throw new LoginFailed([
          {
            ...base,
            event: "Failed Login",
            eventType: "login_failed",
            status: "failed",
            details: { reason: user.status === "inactive" ? "account_inactive" : "account_locked" },
          },
        ]);
      }
      if (!ok) await recordFailure(user, policy, now, base);
      const updated = await updateVersioned(
        keys.user(tenantId, user.id),
        user.version,
        {
          status: "active",
          failedAttempts: 0,
          failedWindowStart: null,
          lockedUntil: null,
          lockReason: null,
          lastLogin: now.toISOString(),
          loginCount: user.loginCount + 1,
        },
        "User",
      );
      const fresh = parseUser(updated) ?? user;
      const token = await issueAccessToken({ userId: fresh.id, tenantId, role: fresh.role });
      return {
        user: fresh,
        token,
        events: [
          { ...base, event: "Login", eventType: "login", status: "success", details: { session_id: token.jti } },
        ],
      };
    } catch (e) {
      // Two sign-ins raced on the same user item: read it again and re-decide.
      if (e instanceof Conflict && attempt < 3) continue;
      throw e;
    }
  }
}

async function recordFailure(
  user: User,
  policy: AuthPolicy,
  now: Date,
  base: { tenantId: string; userId: number; username: string },
): Promise<never> {
  const p = policy.account_protection;
  const windowMs = p.lockout_window * 60_000;
  const inWindow = user.failedWindowStart && now.getTime() - new Date(user.failedWindowStart).getTime() < windowMs;
  const attempts = (inWindow ? user.failedAttempts : 0) + 1;
  const lock = attempts >= p.lockout_attempts;
  const lockedUntil = lock ? new Date(now.getTime() + p.lockout_duration * 60_000).toISOString() : null;
  await updateVersioned(
    keys.user(base.tenantId, user.id),
    user.version,
    {
      failedAttempts: attempts,
      failedWindowStart: inWindow ? user.failedWindowStart : now.toISOString(),
      ...(lock ? { status: "locked", lockedUntil, lockReason: "Too many failed login attempts" } : {}),
    },
    "User",
  );
  const events: AuthEvent[] = [
    {
      ...base,
      event: "Failed Login",
      eventType: "login_failed",
      status: "failed",
      details: { reason: "invalid_credentials", attempt_count: attempts, lockout_triggered: lock },
    },
  ];
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
  throw new LoginFailed(events);
}

export interface SignupInput {
  organization: string;
  username: string;
  email: string;
  password: string;
}

/** Self-service signup: a new tenant on the free plan with this user as its admin. */
export async function signup(input: SignupInput): Promise<LoginResult> {
  const tenantId = tenantSlug(input.organization);
  if (tenantId.length < 2) {
    throw new Invalid("body.organization: must contain at least two letters or digits", [
      { loc: ["body", "organization"], msg: "must contain at least two letters or digits", type: "value_error" },
    ]);
  }
  const policy = resolveAuthPolicy(undefined);
  assertPasswordMeetsPolicy(input.password, policy.password_policy, { username: input.username });
  const now = new Date().toISOString();
  const tenant = createTenantItems({ id: tenantId, name: input.organization.trim(), plan: "free", createdAt: now });
  const user = newUser({
    tenantId,
    id: 1,
    username: input.username,
    email: input.email,
    fullName: "",
    role: "admin",
    now,
  });
  const userWrites = createUserItems({ ...user, passwordHash: await hashPassword(input.password) });
  await transact(
    [
      ...tenant.items,
      { Put: { TableName: tableName, Item: { ...keys.counter(tenantId, "user"), type: "Counter", value: 1 } } },
      ...userWrites.items,
    ],
    [...tenant.conflicts, undefined, ...userWrites.conflicts],
  );
  const token = await issueAccessToken({ userId: 1, tenantId, role: "admin" });
  const created = { ...user, passwordHash: "", type: "User" as const, version: 1 };
  return {
    user: created,
    token,
    events: [
      {
        tenantId,
        userId: 1,
        username: user.username,
        event: "Organization Created",
        eventType: "tenant_created",
        status: "success",
        details: { organization: tenantId, plan: "free" },
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
 * another, and nobody may create a user with permissions they do not hold themselves.
 */
export async function register(caller: Principal, input: RegisterInput): Promise<User> {
  const role = input.role ?? DEFAULT_ROLE;
  const permissions = ROLE_PERMISSIONS(role);
  if (!BUILT_IN_ROLES[role]) {
    throw new Invalid(`body.role: unknown role '${role}'`, [
      { loc: ["body", "role"], msg: `unknown role '${role}'`, type: "value_error" },
    ]);
  }
  if (!coversAll(caller.permissions, permissions)) {
    throw new Forbidden(`Cannot grant role '${role}': it has permissions you do not hold`);
  }
  const policy = resolveAuthPolicy(await getItem(authPolicyKey(caller.tenantId)));
  assertPasswordMeetsPolicy(input.password, policy.password_policy, { username: input.username });
  return createUser(caller.tenantId, { ...input, role, permissions });
}

export async function createUser(
  tenantId: string,
  input: { username: string; email: string; password: string; fullName?: string; role: string; permissions: string[] },
): Promise<User> {
  const passwordHash = await hashPassword(input.password);
  const id = await nextId(tenantId, "user");
  const now = new Date().toISOString();
  const user = {
    ...newUser({ tenantId, id, ...input, fullName: input.fullName ?? "", now }),
    permissions: input.permissions,
    passwordHash,
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
  now: string;
}): NewUser {
  return {
    tenantId: u.tenantId,
    id: u.id,
    username: u.username,
    email: u.email,
    fullName: u.fullName,
    role: u.role,
    permissions: ROLE_PERMISSIONS(u.role),
    status: "active",
    passwordHash: "",
    passwordChangedAt: u.now,
    passwordHistory: [],
    forcePasswordChange: false,
    twoFactorEnabled: false,
    twoFactorMethod: null,
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

/** Revokes one access token until it would have expired anyway. */
export async function revokeToken(tenantId: string, jti: string, exp: number): Promise<void> {
  await db.send(
    new PutCommand({
      TableName: tableName,
      Item: { ...keys.revokedToken(tenantId, jti), type: "RevokedToken", expiresAt: exp },
    }),
  );
}
