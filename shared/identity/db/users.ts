/**
 * The user entity: one item per user in the tenant's partition, plus global login pointers
 * (username and email) that keep login names unique and let login find the tenant.
 *
 * A user's live sessions sit right after the user item (`USER#<id>#SESSION#<jti>`, see
 * sessions.ts), so one Query on `USER#<id>` reads a user with its sessions, and one Query on
 * `USER#` reads a tenant's users with theirs.
 */
import * as z from "zod/mini";
import { tableName } from "#shared/table/client.ts";
import { type Key, keys } from "#shared/table/keys.ts";
import { batchGet, getItem, guardPut, type Item, newItemPut, queryAll } from "#shared/table/repo.ts";
import { parseSession, type Session } from "./login-sessions.ts";

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

export const loginKey = (name: string): Key => keys.login(normalizeLogin(name));

export async function findLogin(name: string): Promise<LoginPointer | undefined> {
  return parseLoginPointer(await getItem(loginKey(name)));
}

export async function getUser(tenantId: string, userId: number, consistent = false): Promise<User | undefined> {
  return parseUser(await getItem(keys.user(tenantId, userId), consistent));
}

export interface UserWithSessions {
  user: User;
  sessions: Session[];
}

/** Splits a `USER#` query's items into users and their sessions (other item types are ignored). */
function groupUsers(items: Item[]): UserWithSessions[] {
  const out: UserWithSessions[] = [];
  const byId = new Map<number, UserWithSessions>();
  for (const item of items) {
    if (item.type === "User") {
      const entry = { user: UserItem.parse(item), sessions: [] };
      byId.set(entry.user.id, entry);
      out.push(entry);
    } else if (item.type === "Session") {
      const s = parseSession(item);
      byId.get(s.userId)?.sessions.push(s);
    }
  }
  return out;
}

/** Every user of a tenant with their sessions: one Query (paged only for very large tenants). */
export async function listUsersWithSessions(tenantId: string, consistent = false): Promise<UserWithSessions[]> {
  const items = await queryAll({ tenantId, pk: keys.tenant(tenantId).PK, skBeginsWith: keys.userPrefix, consistent });
  return groupUsers(items);
}

export async function listUsers(tenantId: string): Promise<User[]> {
  return (await listUsersWithSessions(tenantId)).map((u) => u.user);
}

/** One user with their sessions, in one Query. */
export async function getUserWithSessions(
  tenantId: string,
  userId: number,
  consistent = false,
): Promise<UserWithSessions | undefined> {
  const items = await queryAll({
    tenantId,
    pk: keys.tenant(tenantId).PK,
    skBeginsWith: keys.user(tenantId, userId).SK,
    consistent,
  });
  return groupUsers(items).find((u) => u.user.id === userId);
}

/** Loads user and extra keys of the same request in one BatchGetItem. */
export async function getUserWith(tenantId: string, userId: number, extra: { PK: string; SK: string }[]) {
  const [user, ...rest] = await batchGet([keys.user(tenantId, userId), ...extra]);
  return { user: parseUser(user), extra: rest };
}

export type NewUser = Omit<User, "type" | "version">;

/** Transaction items creating a user with its username and email guards. */
export function createUserItems(user: NewUser) {
  const { version: _v, ...rest } = { ...user, type: "User" as const, version: 1 };
  return {
    items: [
      newItemPut({ ...keys.user(user.tenantId, user.id), ...rest }),
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

/** Deletes the user item, but only the version that was read (a concurrent change is a 409). */
export function userDeleteItem(user: User) {
  return {
    Delete: {
      TableName: tableName,
      Key: keys.user(user.tenantId, user.id),
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
      Key: keys.user(user.tenantId, user.id),
      ConditionExpression: "#version = :v",
      ExpressionAttributeNames: { "#version": "version" },
      ExpressionAttributeValues: { ":v": user.version },
    },
  };
}

/** Where a deleted user's profile is kept when the deletion asks for an archive. */
export const userArchiveKey = (tenantId: string, userId: number): Key => ({
  PK: keys.tenant(tenantId).PK,
  SK: `USERARCHIVE#${keys.user(tenantId, userId).SK.slice(keys.userPrefix.length)}`,
});
