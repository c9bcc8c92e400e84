/**
 * User administration (gateway "Identity & Access Management"): list, detail, add, update,
 * delete, password reset, lock/unlock. (A user's own password change is in passwords.ts; the
 * user record itself is made in create-user.ts.)
 *
 * Rules that hold for every route here: nobody acts on a user who holds permissions they do not
 * (an operator with users:write cannot reset an admin's password), nobody hands out a role or a
 * permission they do not hold, the last administrator cannot be removed, and every change that
 * should end a user's login sessions (password reset, lock, role change, deactivation, deletion) revokes
 * them on the very next request.
 */

import { type ActivityEntry, recentActivityOf } from "#shared/audit/trail.ts";
import { DEFAULT_ROLE, hasPermission } from "#shared/auth/permissions.ts";
import { listApiKeyItems } from "#shared/identity/db/api-keys.ts";
import {
  getUserWithLoginSessions,
  type LoginSession,
  listUsersWithLoginSessions,
  liveLoginSessions,
} from "#shared/identity/db/login-sessions.ts";
import {
  getUser,
  loginGuardDelete,
  loginGuardPut,
  normalizeLogin,
  type User,
  userArchivePut,
  userDeleteItem,
  userUnchangedCheck,
  userUpdateItem,
} from "#shared/identity/db/users.ts";
import { Conflict, Forbidden, Invalid, NotFound } from "#shared/kit/errors.ts";
import type { Item } from "#shared/table/repo.ts";
import { notifier } from "#shared/tenancy/notifier.ts";
import { effectiveStatus, type UserStatusView } from "./account-status.ts";
import { keyStatus, revokeApiKeysOfUser, transferApiKeys } from "./api-keys.ts";
import { getAuthPolicy } from "./auth-policy.ts";
import { createUser } from "./create-user.ts";
import { nowEpoch, type TransactItem, transactEndingLoginSessions } from "./login-sessions.ts";
import { preparePassword, temporaryPassword } from "./passwords.ts";
import type { Principal } from "./principal.ts";
import { assertMayAssignRole, assertMayGrantPermissions, callerCovers, requireRole } from "./roles.ts";
import { TWO_FACTOR_CLEARED } from "./two-factor.ts";

const isAdmin = (u: Pick<User, "permissions">) => u.permissions.includes("*");

function fieldError(loc: (string | number)[], msg: string): Invalid {
  return new Invalid(`${loc.join(".")}: ${msg}`, [{ loc, msg, type: "value_error" }]);
}

/** A user as the administration routes list them: the account, its effective status, its live login sessions. */
export interface UserSummary {
  user: User;
  status: UserStatusView;
  loginSessionCount: number;
}

function summarize(user: User, loginSessions: LoginSession[], now = Date.now()): UserSummary {
  return {
    user,
    status: effectiveStatus(user, now),
    loginSessionCount: liveLoginSessions(loginSessions, now).length,
  };
}

export interface ListFilters {
  status?: UserStatusView;
  role?: string;
  limit: number;
}

export interface UserListing {
  users: UserSummary[];
  total: number;
  active: number;
  rolesSummary: Record<string, number>;
}

/**
 * The tenant's users (one Query reads them with their login sessions). `total` counts the users
 * matching the filters (before `limit`); `active` and `rolesSummary` describe the whole tenant.
 */
export async function listUserSummaries(tenantId: string, f: ListFilters): Promise<UserListing> {
  const now = Date.now();
  const all = (await listUsersWithLoginSessions(tenantId)).map(({ user, loginSessions }) =>
    summarize(user, loginSessions, now),
  );
  const matching = all.filter((s) => (!f.status || s.status === f.status) && (!f.role || s.user.role === f.role));
  const rolesSummary: Record<string, number> = {};
  for (const s of all) rolesSummary[s.user.role] = (rolesSummary[s.user.role] ?? 0) + 1;
  return {
    users: matching.slice(0, f.limit),
    total: matching.length,
    active: all.filter((s) => s.status === "active").length,
    rolesSummary,
  };
}

/** An API key a user owns, as the user's detail shows it. */
export interface OwnedApiKey {
  id: number;
  name: string;
  scopes: string[];
  createdAt: string;
  status: string;
}

/** Owned records of other areas, read by the detail view (API keys, SSH keys). */
export interface OwnedRecords {
  apiKeys(tenantId: string, userId: number): Promise<OwnedApiKey[]>;
  sshKeys(tenantId: string, userId: number): Promise<{ fingerprint: string; type: string; added: string }[]>;
}

/** How much of a user's own activity the detail view shows: the last 10 events of the last 30 days. */
const ACTIVITY = { limit: 10, maxDays: 30 } as const;

export interface UserDetail extends UserSummary {
  apiKeys: OwnedApiKey[];
  sshKeys: { fingerprint: string; type: string; added: string }[];
  recentActivity: ActivityEntry[];
}

export async function getUserDetail(tenantId: string, userId: number, owned: OwnedRecords): Promise<UserDetail> {
  const [found, activity, apiKeys, sshKeys] = await Promise.all([
    getUserWithLoginSessions(tenantId, userId),
    recentActivityOf(tenantId, userId, ACTIVITY),
    owned.apiKeys(tenantId, userId),
    owned.sshKeys(tenantId, userId),
  ]);
  if (!found) throw new NotFound(`User ${userId} not found`);
  return {
    ...summarize(found.user, found.loginSessions),
    apiKeys,
    sshKeys,
    recentActivity: activity,
  };
}

async function loadTarget(caller: Principal, userId: number, loc: (string | number)[] = ["body", "user_id"]) {
  const found = await getUserWithLoginSessions(caller.tenantId, userId, true);
  if (!found) throw new NotFound(`${loc.join(".")}: user ${userId} not found`);
  return found;
}

/** Nobody manages a user more powerful than themselves. */
function assertMayManage(caller: Principal, target: User): void {
  if (!callerCovers(caller, target.permissions)) {
    throw new Forbidden(`Cannot manage user '${target.username}': they hold permissions you do not`);
  }
}

/**
 * Another administrator who stays, checked unchanged inside the same transaction, so two
 * concurrent requests cannot remove the last two administrators.
 */
async function otherAdminCheck(tenantId: string, target: User, what: string): Promise<TransactItem> {
  const others = (await listUsersWithLoginSessions(tenantId, true))
    .map((u) => u.user)
    .filter((u) => u.id !== target.id && isAdmin(u) && u.status !== "inactive");
  const keep = others[0];
  if (!keep) throw new Conflict(`Cannot ${what} the last administrator`);
  return userUnchangedCheck(keep);
}

async function notifyUser(user: Pick<User, "tenantId" | "email">, kind: string, subject: string, body: string) {
  return notifier.send({ tenantId: user.tenantId, channel: "email", to: user.email, subject, body, kind });
}

export interface AddUserInput {
  username: string;
  email: string;
  fullName?: string;
  role?: string;
  password?: string;
  twoFactorEnabled?: boolean;
  permissions?: string[];
  sendWelcomeEmail?: boolean;
  forcePasswordChange?: boolean;
}

export async function addUser(caller: Principal, input: AddUserInput) {
  const role = await requireRole(caller.tenantId, input.role ?? DEFAULT_ROLE, ["body", "role"]);
  assertMayAssignRole(caller, role);
  const permissions = input.permissions ? [...new Set(input.permissions)] : role.permissions;
  if (input.permissions) {
    assertMayGrantPermissions(caller, { userId: null, held: [] }, permissions, ["body", "permissions"]);
  }
  const policy = await getAuthPolicy(caller.tenantId);
  const generated = input.password === undefined ? temporaryPassword(policy, input.username) : undefined;
  const password = await preparePassword(input.password ?? generated ?? "", policy, { username: input.username });
  const user = await createUser(caller.tenantId, {
    username: input.username,
    email: input.email,
    fullName: input.fullName,
    role: role.id,
    permissions,
    password,
    // A generated password was seen by the administrator: it must be replaced at first sign-in.
    forcePasswordChange: generated !== undefined || (input.forcePasswordChange ?? false),
    twoFactorEnabled: input.twoFactorEnabled ?? false,
  });
  const welcomeEmailSent = input.sendWelcomeEmail
    ? await notifyUser(
        user,
        "welcome",
        "Welcome to Warden",
        `Hello ${user.fullName || user.username}, an account '${user.username}' was created for you by ${caller.username}. ` +
          "Your administrator will give you your initial password; you will be asked to choose your own when you first sign in.",
      )
    : false;
  return { user, temporaryPassword: generated, welcomeEmailSent };
}

/** A user of the tenant by id, for other areas that name users (GRC owners); undefined when none. */
export async function getUserSummary(
  tenantId: string,
  userId: number,
): Promise<Pick<User, "id" | "username"> | undefined> {
  const u = await getUser(tenantId, userId);
  return u ? { id: u.id, username: u.username } : undefined;
}

export interface UpdateUserInput {
  userId: number;
  fullName?: string;
  email?: string;
  role?: string;
  twoFactorEnabled?: boolean;
  permissions?: string[];
  status?: "active" | "inactive";
  notes?: string;
  /** GRC enterprise memberships (replaces the list). Only a caller holding `compliance:admin` may set them. */
  enterprises?: string[];
}

type Change = { old: unknown; new: unknown } | { added?: string[]; removed?: string[] };

export async function updateUser(caller: Principal, input: UpdateUserInput) {
  const { user: target, loginSessions } = await loadTarget(caller, input.userId);
  assertMayManage(caller, target);
  const changes: Item = {};
  const diff: Record<string, Change> = {};
  const items: TransactItem[] = [];
  const conflicts: (string | undefined)[] = [];
  const set = (field: string, attr: keyof User, value: unknown) => {
    diff[field] = { old: target[attr], new: value };
    changes[attr] = value;
  };

  if (input.fullName !== undefined && input.fullName !== target.fullName) set("full_name", "fullName", input.fullName);
  if (input.email !== undefined && input.email !== target.email) {
    set("email", "email", input.email);
    if (normalizeLogin(input.email) !== normalizeLogin(target.email)) {
      items.push(loginGuardPut(input.email, target), loginGuardDelete(target.email, target));
      conflicts.push(`email '${input.email}' is already registered`, undefined);
    }
  }
  let role = await requireRole(caller.tenantId, target.role, ["body", "role"]);
  const roleChanged = input.role !== undefined && input.role !== target.role;
  if (roleChanged && input.role !== undefined) {
    role = await requireRole(caller.tenantId, input.role, ["body", "role"]);
    assertMayAssignRole(caller, role);
    set("role", "role", role.id);
  }
  const permissions = input.permissions
    ? [...new Set(input.permissions)]
    : roleChanged
      ? role.permissions
      : target.permissions;
  // Checked whether the list was given or follows a new role: a role change must not widen either.
  assertMayGrantPermissions(caller, { userId: target.id, held: target.permissions }, permissions, [
    "body",
    input.permissions ? "permissions" : "role",
  ]);
  const added = permissions.filter((p) => !target.permissions.includes(p));
  const removed = target.permissions.filter((p) => !permissions.includes(p));
  if (added.length || removed.length) {
    diff.permissions = { ...(added.length ? { added } : {}), ...(removed.length ? { removed } : {}) };
    changes.permissions = permissions;
  }
  if (input.twoFactorEnabled !== undefined && input.twoFactorEnabled !== target.twoFactorEnabled) {
    set("two_factor_enabled", "twoFactorEnabled", input.twoFactorEnabled);
    // Switching 2FA off is an administrator's reset (lost phone): the enrolled factor goes too.
    if (!input.twoFactorEnabled) Object.assign(changes, TWO_FACTOR_CLEARED);
  }
  const currentStatus = effectiveStatus(target);
  if (input.status !== undefined && input.status !== currentStatus) {
    if (target.id === caller.userId && input.status === "inactive")
      throw new Conflict("Cannot deactivate your own account");
    diff.status = { old: currentStatus, new: input.status };
    Object.assign(
      changes,
      input.status === "inactive" ? { status: "inactive" } : { status: "active", lockedUntil: null, lockReason: null },
    );
  }
  if (input.notes !== undefined && input.notes !== target.notes) set("notes", "notes", input.notes);
  if (input.enterprises !== undefined) {
    if (!hasPermission(caller.permissions, "compliance:admin")) {
      throw new Forbidden("Only an administrator holding 'compliance:admin' may assign enterprises");
    }
    const next = [...new Set(input.enterprises)];
    const added = next.filter((e) => !target.enterprises.includes(e));
    const removed = target.enterprises.filter((e) => !next.includes(e));
    if (added.length || removed.length) {
      diff.enterprises = { ...(added.length ? { added } : {}), ...(removed.length ? { removed } : {}) };
      changes.enterprises = next;
    }
  }

  const stillAdmin = (changes.permissions ?? target.permissions) as string[];
  if (isAdmin(target) && (!stillAdmin.includes("*") || changes.status === "inactive")) {
    items.push(await otherAdminCheck(caller.tenantId, target, "demote or deactivate"));
    conflicts.push("another administrator changed at the same time; retry");
  }
  const revoke = roleChanged || changes.status === "inactive";
  const live = liveLoginSessions(loginSessions);
  if (Object.keys(changes).length > 0) {
    const now = new Date().toISOString();
    await transactEndingLoginSessions(
      [
        userUpdateItem(target, {
          ...changes,
          updatedAt: now,
          ...(revoke ? { tokensValidAfter: nowEpoch() } : {}),
        }),
        ...items,
      ],
      revoke ? live : [],
      ["User was changed by another request; reload and retry", ...conflicts],
    );
  }
  const updated: User = { ...target, ...(changes as Partial<User>) };
  const securityRelevant = ["role", "permissions", "email", "status", "two_factor_enabled"].some((k) => k in diff);
  const notified = securityRelevant
    ? await notifyUser(
        target,
        "account_updated",
        "Your Warden account was changed",
        `${caller.username} changed your account: ${Object.keys(diff).join(", ")}.`,
      )
    : false;
  return { user: updated, changes: diff, notified, loginSessionsEnded: revoke ? live.length : 0 };
}

/** Moves or archives what a deleted user owned in other areas (API keys; SSH keys once they exist). */
export interface OwnedData {
  transfer(tenantId: string, fromUserId: number, toUserId: number): Promise<MovedData>;
  revoke(tenantId: string, userId: number): Promise<MovedData>;
}

export interface MovedData {
  apiKeysTransferred: number;
  apiKeysRevoked: number;
}

export interface DeleteUserInput {
  userId: number;
  transferDataTo?: number;
  archiveData?: boolean;
  reason?: string;
}

/** Everything about a user except secrets (hashes, 2FA secret, backup codes). */
function archivedProfile(u: User) {
  return {
    id: u.id,
    username: u.username,
    full_name: u.fullName,
    email: u.email,
    role: u.role,
    permissions: u.permissions,
    status: u.status,
    two_factor_enabled: u.twoFactorEnabled,
    two_factor_method: u.twoFactorMethod,
    login_count: u.loginCount,
    last_login: u.lastLogin,
    last_password_change: u.passwordChangedAt,
    notes: u.notes,
    created_at: u.createdAt,
    updated_at: u.updatedAt,
  };
}

export async function deleteUser(caller: Principal, input: DeleteUserInput, owned: OwnedData) {
  if (input.userId === caller.userId) throw new Conflict("Cannot delete your own account");
  const { user: target, loginSessions } = await loadTarget(caller, input.userId);
  assertMayManage(caller, target);
  if (input.transferDataTo !== undefined) {
    if (input.transferDataTo === target.id)
      throw fieldError(["body", "transfer_data_to"], "must be another user than the one deleted");
    const to = await getUserWithLoginSessions(caller.tenantId, input.transferDataTo, true);
    if (!to) throw new NotFound(`body.transfer_data_to: user ${input.transferDataTo} not found`);
  }
  const items: TransactItem[] = [
    userDeleteItem(target),
    loginGuardDelete(target.username, target),
    loginGuardDelete(target.email, target),
  ];
  const conflicts: (string | undefined)[] = [
    "User was changed by another request; reload and retry",
    undefined,
    undefined,
  ];
  if (isAdmin(target)) {
    items.push(await otherAdminCheck(caller.tenantId, target, "delete"));
    conflicts.push("another administrator changed at the same time; retry");
  }
  const now = new Date().toISOString();
  if (input.archiveData) {
    items.push(
      userArchivePut(caller.tenantId, target.id, {
        tenantId: caller.tenantId,
        userId: target.id,
        profile: archivedProfile(target),
        reason: input.reason ?? null,
        deletedAt: now,
        deletedBy: caller.username,
        transferredTo: input.transferDataTo ?? null,
      }),
    );
    conflicts.push(`an archive of user ${target.id} already exists`);
  }
  const live = liveLoginSessions(loginSessions);
  await transactEndingLoginSessions(items, live, conflicts);
  const moved =
    input.transferDataTo !== undefined
      ? await owned.transfer(caller.tenantId, target.id, input.transferDataTo)
      : await owned.revoke(caller.tenantId, target.id);
  return {
    user: target,
    loginSessionsEnded: live.length,
    dataTransferred: input.transferDataTo !== undefined,
    dataArchived: input.archiveData === true,
    ...moved,
  };
}

export interface ResetPasswordInput {
  userId: number;
  newPassword?: string;
  forceChange?: boolean;
  sendEmail?: boolean;
}

export async function resetPassword(caller: Principal, input: ResetPasswordInput) {
  const { user: target, loginSessions } = await loadTarget(caller, input.userId);
  assertMayManage(caller, target);
  const policy = await getAuthPolicy(caller.tenantId);
  const generated = input.newPassword === undefined ? temporaryPassword(policy, target.username) : undefined;
  const password = await preparePassword(input.newPassword ?? generated ?? "", policy, {
    username: target.username,
    field: "new_password",
    current: target,
  });
  // The administrator knows the new password: by default its owner must replace it.
  const requiresChange = generated !== undefined || (input.forceChange ?? true);
  const live = liveLoginSessions(loginSessions);
  await transactEndingLoginSessions(
    [
      userUpdateItem(target, {
        ...password,
        forcePasswordChange: requiresChange,
        tokensValidAfter: nowEpoch(),
        updatedAt: password.passwordChangedAt,
      }),
    ],
    live,
    ["User was changed by another request; reload and retry"],
  );
  const emailSent = input.sendEmail
    ? await notifyUser(
        target,
        "password_reset",
        "Your Warden password was reset",
        `${caller.username} reset your password. Ask them for the new one${requiresChange ? "; you will choose your own at the next sign-in" : ""}. ` +
          "If you did not expect this, contact your administrator.",
      )
    : false;
  return { user: target, emailSent, requiresChange, temporaryPassword: generated, loginSessionsEnded: live.length };
}

export interface LockUserInput {
  userId: number;
  action: "lock" | "unlock";
  reason?: string;
  durationMinutes?: number;
}

export async function lockUser(caller: Principal, input: LockUserInput) {
  if (input.userId === caller.userId) throw new Conflict(`Cannot ${input.action} your own account`);
  if (input.action === "unlock" && input.durationMinutes !== undefined) {
    throw fieldError(["body", "duration_minutes"], "only for action 'lock'");
  }
  const { user: target, loginSessions } = await loadTarget(caller, input.userId);
  assertMayManage(caller, target);
  const now = Date.now();
  const live = input.action === "lock" ? liveLoginSessions(loginSessions, now) : [];
  const lockedUntil =
    input.action === "lock" && input.durationMinutes !== undefined
      ? new Date(now + input.durationMinutes * 60_000).toISOString()
      : null;
  const changes: Item =
    input.action === "lock"
      ? {
          status: "locked",
          lockedUntil,
          lockReason: input.reason ?? "Locked by an administrator",
          tokensValidAfter: nowEpoch(),
        }
      : {
          status: target.status === "inactive" ? "inactive" : "active",
          lockedUntil: null,
          lockReason: null,
          failedAttempts: 0,
          failedWindowStart: null,
        };
  await transactEndingLoginSessions(
    [
      userUpdateItem(target, {
        ...changes,
        updatedAt: new Date(now).toISOString(),
      }),
    ],
    live,
    ["User was changed by another request; reload and retry"],
  );
  const notified =
    input.action === "lock"
      ? await notifyUser(
          target,
          "account_locked",
          "Your Warden account was locked",
          `Your account was locked by ${caller.username}${input.reason ? `: ${input.reason}` : ""}. ` +
            (lockedUntil ? `It unlocks at ${lockedUntil}.` : "It stays locked until an administrator unlocks it."),
        )
      : await notifyUser(
          target,
          "account_unlocked",
          "Your Warden account was unlocked",
          `Your account was unlocked by ${caller.username}.`,
        );
  return { user: target, lockedUntil, notified, loginSessionsEnded: live.length };
}

/**
 * What users own in other areas. API keys come from their entity (shared/db/api-keys.ts,
 * shared/domain/api-keys.ts). SSH keys are stored by the SSH area per gateway, by login name and
 * without an owner user id, so no Warden user owns one yet: `ssh_keys` is [] and a deletion has
 * none to move — the place to add them is here.
 */
export const ownedRecords: OwnedRecords = {
  apiKeys: async (tenantId, userId) => {
    const now = Date.now();
    return (await listApiKeyItems(tenantId))
      .filter((k) => k.userId === userId && k.status !== "revoked")
      .sort((a, b) => a.id - b.id)
      .map((k) => ({ id: k.id, name: k.name, scopes: k.scopes, createdAt: k.createdAt, status: keyStatus(k, now) }));
  },
  sshKeys: async () => [],
};

export const ownedData: OwnedData = {
  transfer: async (tenantId, fromUserId, toUserId) => {
    const moved = await transferApiKeys(tenantId, fromUserId, toUserId);
    return { apiKeysTransferred: moved.transferred, apiKeysRevoked: moved.revoked };
  },
  revoke: async (tenantId, userId) => ({
    apiKeysTransferred: 0,
    apiKeysRevoked: await revokeApiKeysOfUser(tenantId, userId, "Owner account deleted"),
  }),
};
