/** The one place a user record is made, for sign-up, registration and user administration alike. */
import { createUserItems, type NewUser, type User, userKeys } from "#shared/identity/db/users.ts";
import { nextId, transact } from "#shared/table/repo.ts";
import type { PasswordFields } from "./passwords.ts";

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
  const id = await nextId(tenantId, userKeys.sequence);
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

export function newUser(u: {
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
