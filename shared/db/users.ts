/**
 * The user entity: one item per user in the tenant's partition, plus global login pointers
 * (username and email) that keep login names unique and let login find the tenant.
 */
import * as z from "zod/mini";
import { keys } from "./keys.ts";
import { batchGet, getItem, guardPut, type Item, newItemPut, queryAll } from "./repo.ts";

export const UserStatus = z.enum(["active", "inactive", "locked"]);

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
  passwordHistory: z._default(z.array(z.string()), []),
  forcePasswordChange: z._default(z.boolean(), false),
  twoFactorEnabled: z._default(z.boolean(), false),
  twoFactorMethod: z.nullable(z._default(z.string(), "app")),
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

export const parseUser = (item: Item | undefined): User | undefined => (item ? UserItem.parse(item) : undefined);

export async function findLogin(name: string): Promise<{ tenantId: string; userId: number } | undefined> {
  const item = await getItem(keys.login(normalizeLogin(name)));
  return item ? LoginPointer.parse(item) : undefined;
}

export async function getUser(tenantId: string, userId: number, consistent = false): Promise<User | undefined> {
  return parseUser(await getItem(keys.user(tenantId, userId), consistent));
}

export async function listUsers(tenantId: string): Promise<User[]> {
  const items = await queryAll({ tenantId, pk: keys.tenant(tenantId).PK, skBeginsWith: keys.userPrefix });
  return items.map((i) => UserItem.parse(i));
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
      guardPut(keys.login(normalizeLogin(user.username)), { tenantId: user.tenantId, userId: user.id }),
      guardPut(keys.login(normalizeLogin(user.email)), { tenantId: user.tenantId, userId: user.id }),
    ],
    conflicts: [
      `user ${user.id} already exists`,
      `username '${user.username}' is already taken`,
      `email '${user.email}' is already registered`,
    ],
  };
}
