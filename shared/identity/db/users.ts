/**
 * The user entity: one item per user in the tenant's partition (`USER#<id>`), plus global login
 * pointers (`G#LOGIN#<name>`, for the username and the email) that keep login names unique and
 * let a sign-in find the tenant before it is known. A pointer holds the tenant and user id only.
 *
 * A user's login sessions sit right after the user item (`USER#<id>#SESSION#<jti>`, see
 * login-sessions.ts), so one Query on `USER#<id>` reads a user with its login sessions.
 *
 * Access patterns: get one (GetItem; BatchGet with the items a request needs beside it), list a
 * tenant's users (Query begins_with `USER#`), resolve a login name (GetItem on the pointer), create
 * with both pointers (TransactWrite with guards), versioned update, delete with the pointers,
 * archive a deleted user's profile (`USERARCHIVE#<id>`).
 */
import * as z from "zod/mini";
import { tableName } from "#shared/table/client.ts";
import { type Key, pad, tenantPk } from "#shared/table/keys.ts";
import {
  batchGet,
  getItem,
  guardPut,
  type Item,
  newItemPut,
  queryAll,
  updateIf,
  updateVersioned,
  versionedUpdateItem,
} from "#shared/table/repo.ts";

export const userKeys = {
  user: (tenantId: string, userId: number): Key => ({ PK: tenantPk(tenantId), SK: `USER#${pad(userId)}` }),
  prefix: "USER#",
  /** Global pointer from a normalized login name (username or email) to its user. */
  login: (normalizedName: string): Key => ({ PK: `G#LOGIN#${normalizedName}`, SK: "LOGIN" }),
  /** Where a deleted user's profile is kept when the deletion asks for an archive. */
  archive: (tenantId: string, userId: number): Key => ({ PK: tenantPk(tenantId), SK: `USERARCHIVE#${pad(userId)}` }),
  /** The per-tenant sequence of user ids (shared/table/repo.ts `nextId`). */
  sequence: "user",
  /** That sequence's counter item, written directly only when an organization is created with its first user. */
  counter: (tenantId: string): Key => ({ PK: tenantPk(tenantId), SK: "COUNTER#user" }),
} as const;

export const UserStatus = z.enum(["active", "inactive", "locked"]);
export const TwoFactorMethod = z.enum(["app", "email", "sms"]);
export type TwoFactorMethod = z.infer<typeof TwoFactorMethod>;

/** An enrolment started but not yet confirmed with a code. */
const PendingTwoFactor = z.object({
  method: TwoFactorMethod,
  /** Envelope-encrypted TOTP secret (app). */
  secret: z._default(z.nullable(z.string()), null),
  /** SHA-256 of the code sent by email or SMS. */
  codeHash: z._default(z.nullable(z.string()), null),
  /** The number the SMS code went to; becomes the user's `phone` once confirmed. */
  phone: z._default(z.nullable(z.string()), null),
  expiresAt: z.string(),
});

export const UserItem = z.object({
  type: z.literal("User"),
  tenantId: z.string(),
  id: z.number(),
  username: z.string(),
  email: z.string(),
  fullName: z._default(z.string(), ""),
  role: z.string(),
  permissions: z.array(z.string()),
  status: UserStatus,
  passwordHash: z.string(),
  passwordChangedAt: z.string(),
  /** Previous password hashes, newest first (the current one is `passwordHash`). */
  passwordHistory: z._default(z.array(z.string()), []),
  forcePasswordChange: z._default(z.boolean(), false),
  /** 2FA is on for this account: asked for at sign-in once a factor is enrolled, enrolment forced until then. */
  twoFactorEnabled: z._default(z.boolean(), false),
  /** The enrolled factor; null while none is. */
  twoFactorMethod: z._default(z.nullable(TwoFactorMethod), null),
  /** Envelope-encrypted TOTP secret of the enrolled `app` factor. */
  twoFactorSecret: z._default(z.nullable(z.string()), null),
  twoFactorPending: z._default(z.nullable(PendingTwoFactor), null),
  /** SHA-256 hashes of the unused backup codes. */
  backupCodes: z._default(z.array(z.string()), []),
  /** Last TOTP time step accepted, so a code is never accepted twice. */
  lastTotpStep: z._default(z.number(), 0),
  /** E.164 number for SMS codes. */
  phone: z._default(z.nullable(z.string()), null),
  notes: z._default(z.nullable(z.string()), null),
  loginCount: z._default(z.number(), 0),
  lastLogin: z._default(z.nullable(z.string()), null),
  failedAttempts: z._default(z.number(), 0),
  failedWindowStart: z._default(z.nullable(z.string()), null),
  lockedUntil: z._default(z.nullable(z.string()), null),
  lockReason: z._default(z.nullable(z.string()), null),
  /** Tokens issued before this epoch second are refused (password reset, lock, role change). */
  tokensValidAfter: z._default(z.number(), 0),
  avatarColor: z._default(z.string(), "indigo"),
  /** GRC enterprises (organisational units of the tenant) this user is a member of; none when new. */
  enterprises: z._default(z.array(z.string()), []),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number(),
});
export type User = z.infer<typeof UserItem>;

export const normalizeLogin = (name: string): string => name.trim().normalize("NFKC").toLowerCase();

const LoginPointer = z.object({ tenantId: z.string(), userId: z.number() });
export type LoginPointer = z.infer<typeof LoginPointer>;

export const parseUser = (item: Item | undefined): User | undefined => (item ? UserItem.parse(item) : undefined);
export const parseLoginPointer = (item: Item | undefined): LoginPointer | undefined =>
  item ? LoginPointer.parse(item) : undefined;

export const loginKey = (name: string): Key => userKeys.login(normalizeLogin(name));

export async function getUser(tenantId: string, userId: number, consistent = false): Promise<User | undefined> {
  return parseUser(await getItem(userKeys.user(tenantId, userId), consistent));
}

/** Several users of one tenant, in the order asked (BatchGetItem, 100 keys per call). */
export async function getUsers(tenantId: string, userIds: number[]): Promise<(User | undefined)[]> {
  const out: (User | undefined)[] = [];
  for (let i = 0; i < userIds.length; i += 100) {
    const items = await batchGet(userIds.slice(i, i + 100).map((id) => userKeys.user(tenantId, id)));
    out.push(...items.map(parseUser));
  }
  return out;
}

/** The items of a tenant's `USER#` range (users and their login sessions): one Query, paged only for very large tenants. */
export async function queryUserRange(tenantId: string, consistent = false, userId?: number): Promise<Item[]> {
  return queryAll({
    tenantId,
    pk: tenantPk(tenantId),
    skBeginsWith: userId === undefined ? userKeys.prefix : userKeys.user(tenantId, userId).SK,
    consistent,
  });
}

export async function listUsers(tenantId: string, consistent = false): Promise<User[]> {
  return (await queryUserRange(tenantId, consistent)).filter((i) => i.type === "User").map((i) => UserItem.parse(i));
}

/** Loads user and extra keys of the same request in one BatchGetItem. */
export async function getUserWith(tenantId: string, userId: number, extra: Key[]) {
  const [user, ...rest] = await batchGet([userKeys.user(tenantId, userId), ...extra]);
  return { user: parseUser(user), extra: rest };
}

export type NewUser = Omit<User, "type" | "version">;

/** Transaction items creating a user with its username and email guards. */
export function createUserItems(user: NewUser) {
  const { version: _v, ...rest } = { ...user, type: "User" as const, version: 1 };
  return {
    items: [
      newItemPut({ ...userKeys.user(user.tenantId, user.id), ...rest }),
      loginGuardPut(user.username, user),
      loginGuardPut(user.email, user),
    ],
    conflicts: [
      `user ${user.id} already exists`,
      `username '${user.username}' is already taken`,
      `email '${user.email}' is already registered`,
    ],
  };
}

/** The user counter of a new organization, set to its first user's id (1), in the same transaction. */
export const firstUserCounterPut = (tenantId: string) =>
  newItemPut({ ...userKeys.counter(tenantId), type: "Counter", value: 1 });

export const loginGuardPut = (name: string, user: { tenantId: string; id: number }) =>
  guardPut(loginKey(name), { tenantId: user.tenantId, userId: user.id });

/** Releases a login name, but only the user's own pointer (never another user's after a rename race). */
export function loginGuardDelete(name: string, user: { tenantId: string; id: number }) {
  return {
    Delete: {
      TableName: tableName,
      Key: loginKey(name),
      ConditionExpression: "tenantId = :t AND userId = :u",
      ExpressionAttributeValues: { ":t": user.tenantId, ":u": user.id },
    },
  };
}

/** A versioned change of the user read at `user.version`, as a transaction item. */
export const userUpdateItem = (user: Pick<User, "tenantId" | "id" | "version">, changes: Item) =>
  versionedUpdateItem(userKeys.user(user.tenantId, user.id), user.version, changes);

/** A versioned change of the user read at `user.version` (a concurrent change is a 409). */
export async function updateUserItem(user: Pick<User, "tenantId" | "id" | "version">, changes: Item): Promise<Item> {
  return updateVersioned(userKeys.user(user.tenantId, user.id), user.version, changes, "User");
}

/** Deletes the user item, but only the version that was read (a concurrent change is a 409). */
export function userDeleteItem(user: User) {
  return {
    Delete: {
      TableName: tableName,
      Key: userKeys.user(user.tenantId, user.id),
      ConditionExpression: "#version = :v",
      ExpressionAttributeNames: { "#version": "version" },
      ExpressionAttributeValues: { ":v": user.version },
    },
  };
}

/** Asserts, inside a transaction, that a user is still at the version that was read. */
export function userUnchangedCheck(user: User) {
  return {
    ConditionCheck: {
      TableName: tableName,
      Key: userKeys.user(user.tenantId, user.id),
      ConditionExpression: "#version = :v",
      ExpressionAttributeNames: { "#version": "version" },
      ExpressionAttributeValues: { ":v": user.version },
    },
  };
}

/** The archived profile of a deleted user, as a transaction item (one archive per user id). */
export const userArchivePut = (tenantId: string, userId: number, archive: Item) =>
  newItemPut({ ...userKeys.archive(tenantId, userId), type: "UserArchive", ...archive });

/**
 * Counts one failed proof (password or code) on the account, atomically: no version check, so
 * concurrent failures never conflict and none is lost. A window older than `windowMs` starts again
 * at 1. Answers the failures in the current window (0 when the user is gone).
 */
export async function countAccountFailure(user: Pick<User, "tenantId" | "id">, now: number, windowMs: number) {
  const key = userKeys.user(user.tenantId, user.id);
  const values = { ":one": 1, ":cutoff": new Date(now - windowMs).toISOString() };
  for (let attempt = 0; attempt < 5; attempt++) {
    const continued = await updateIf({
      key,
      update: "ADD failedAttempts :one",
      condition: "failedWindowStart > :cutoff",
      values,
    });
    if (continued) return Number(continued.failedAttempts);
    const restarted = await updateIf({
      key,
      update: "SET failedAttempts = :one, failedWindowStart = :now",
      condition:
        "attribute_not_exists(failedWindowStart) OR attribute_type(failedWindowStart, :null) OR failedWindowStart <= :cutoff",
      values: { ...values, ":now": new Date(now).toISOString(), ":null": "NULL" },
    });
    if (restarted) return 1;
    // Neither held: the user is gone, or another failure restarted the window in between.
    if (!(await getItem(key, true))) return 0;
  }
  throw new Error("failure counter did not settle");
}

/**
 * Locks the account after too many failures, unless it is deactivated or already locked (so a
 * lock is set once, by one request). The version is bumped, so a versioned write that read the
 * account before the lock has to read it again.
 */
export async function lockAccountAfterFailures(
  user: Pick<User, "tenantId" | "id">,
  lockedUntil: string,
  reason: string,
  now: number,
): Promise<boolean> {
  const out = await updateIf({
    key: userKeys.user(user.tenantId, user.id),
    update: "SET #status = :locked, lockedUntil = :until, lockReason = :reason ADD #version :one",
    condition:
      "#status <> :inactive AND NOT (#status = :locked AND (attribute_not_exists(lockedUntil) OR attribute_type(lockedUntil, :null) OR lockedUntil > :now))",
    names: { "#status": "status", "#version": "version" },
    values: {
      ":locked": "locked",
      ":until": lockedUntil,
      ":reason": reason,
      ":inactive": "inactive",
      ":one": 1,
      ":null": "NULL",
      ":now": new Date(now).toISOString(),
    },
  });
  return out !== undefined;
}

/**
 * Records a completed sign-in on the user — last login, one more login, failures cleared, an
 * expired lock lifted — without a version check, so concurrent sign-ins of one user all succeed.
 * It holds only while what the sign-in checked still holds: the same password, no revocation since
 * (`tokensValidAfter`), not deactivated, not locked. Answers false when that changed.
 */
export async function recordSignIn(user: User, now: number): Promise<boolean> {
  const nowIso = new Date(now).toISOString();
  // An account that was never revoked may not carry the attribute yet (its default is 0).
  const notRevoked =
    user.tokensValidAfter === 0
      ? "(attribute_not_exists(tokensValidAfter) OR tokensValidAfter = :tva)"
      : "tokensValidAfter = :tva";
  const out = await updateIf({
    key: userKeys.user(user.tenantId, user.id),
    update:
      "SET #status = :active, failedAttempts = :zero, failedWindowStart = :nil, lockedUntil = :nil, lockReason = :nil, lastLogin = :now ADD loginCount :one, #version :one",
    condition: `passwordHash = :hash AND ${notRevoked} AND #status <> :inactive AND (#status <> :locked OR (attribute_type(lockedUntil, :string) AND lockedUntil <= :now))`,
    names: { "#status": "status", "#version": "version" },
    values: {
      ":active": "active",
      ":inactive": "inactive",
      ":locked": "locked",
      ":zero": 0,
      ":one": 1,
      ":nil": null,
      ":now": nowIso,
      ":hash": user.passwordHash,
      ":tva": user.tokensValidAfter,
      ":string": "S",
    },
  });
  return out !== undefined;
}

/** Uses up one backup code, once: two requests presenting the same code cannot both succeed. */
export async function consumeBackupCode(user: User, index: number, hash: string): Promise<boolean> {
  const out = await updateIf({
    key: userKeys.user(user.tenantId, user.id),
    update: `REMOVE backupCodes[${index}] ADD #version :one`,
    condition: `backupCodes[${index}] = :hash`,
    names: { "#version": "version" },
    values: { ":hash": hash, ":one": 1 },
  });
  return out !== undefined;
}

/** Records the TOTP step a code was accepted for; a step (or an earlier one) is never accepted twice. */
export async function consumeTotpStep(user: User, step: number): Promise<boolean> {
  const out = await updateIf({
    key: userKeys.user(user.tenantId, user.id),
    update: "SET lastTotpStep = :step",
    condition: "attribute_not_exists(lastTotpStep) OR lastTotpStep < :step",
    values: { ":step": step },
  });
  return out !== undefined;
}
