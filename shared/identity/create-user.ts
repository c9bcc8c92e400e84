/** The one place a user record is made, for sign-up, registration and user administration alike. */
import { createUserItems, firstUserCounterPut, type NewUser, type User, userKeys } from "#shared/identity/db/users.ts";
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

/** Creates a user in the tenant, its id drawn from the tenant's user sequence, with its login-name guards. */
export async function createUser(tenantId: string, input: CreateUserInput): Promise<User> {
  const id = await nextId(tenantId, userKeys.sequence);
  const user = userRecord(tenantId, id, input, new Date().toISOString());
  const writes = createUserItems(user);
  await transact(writes.items, writes.conflicts);
  return { ...user, type: "User", version: 1 };
}

/**
 * The writes of a new organization's first user (id 1, the user sequence started at 1), for the
 * caller to put in the transaction that creates the organization.
 */
export function firstUserWrites(tenantId: string, input: CreateUserInput, now: string) {
  const user = userRecord(tenantId, 1, input, now);
  const writes = createUserItems(user);
  return {
    user,
    items: [firstUserCounterPut(tenantId), ...writes.items],
    conflicts: [`organization '${tenantId}' already exists`, ...writes.conflicts],
  };
}

/** Every field a new account starts with. */
function userRecord(tenantId: string, id: number, input: CreateUserInput, now: string): NewUser {
  return {
    ...defaults({ tenantId, id, ...input, fullName: input.fullName ?? "", now }),
    ...input.password,
    forcePasswordChange: input.forcePasswordChange ?? false,
    twoFactorEnabled: input.twoFactorEnabled ?? false,
    notes: input.notes ?? null,
  };
}

const COLORS = ["indigo", "orange", "teal", "rose", "amber", "sky", "violet", "emerald"];

function defaults(u: {
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
    enterprises: [],
    createdAt: u.now,
    updatedAt: u.now,
  };
}
