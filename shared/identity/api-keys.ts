/**
 * API keys: issue (shown once), list, change, revoke, and the owner-lifecycle hooks the user
 * routes call (revoke all of a deleted user's keys, or hand them to another user).
 *
 * Invariant: a key's scopes are always permissions its owner holds (and that the caller who set
 * them holds), so a key can never do more than its owner. The endpoint kit checks both again on
 * every request (owner permissions ∧ key scopes), so an owner who later loses a permission loses
 * it for their keys too.
 */
import { hasPermission } from "#shared/auth/permissions.ts";
import { hashApiKey, newApiKeyMaterial } from "#shared/crypto/api-key-hash.ts";
import {
  type ApiKey,
  type ApiKeyUsage,
  apiKeyKeys,
  createApiKey,
  findApiKeyPointer,
  getApiKey,
  getUsage,
  listApiKeyItems,
  parseUsage,
  reassignApiKey,
  updateApiKeyItem,
} from "#shared/identity/db/api-keys.ts";
import { getUser, getUsers, type User } from "#shared/identity/db/users.ts";
import { Conflict, Forbidden, Invalid, NotFound } from "#shared/kit/errors.ts";
import { pad } from "#shared/table/keys.ts";
import { nextId } from "#shared/table/repo.ts";
import { notifier } from "#shared/tenancy/notifier.ts";
import { isExpired } from "./api-key-auth.ts";
import type { Principal } from "./principal.ts";
import { assertCatalogued } from "./roles.ts";

export type KeyStatus = "active" | "expired" | "revoked";
export const KEY_STATUSES = ["active", "expired", "revoked"] as const;

/** A key as other areas may see it: everything but the hash, with the status computed now. */
export type PublicApiKey = Omit<ApiKey, "status" | "hash" | "type" | "version"> & { status: KeyStatus };
/** …and with its usage (count and last use). */
export type ListedApiKey = PublicApiKey & ApiKeyUsage;

/** Requests per minute of a key created without a `rate_limit`: the "general" class limit. */
export const DEFAULT_KEY_RATE_LIMIT = 100;
/** A use this recent counts as a live client that revocation cuts off. */
const LIVE_USE_MS = 15 * 60_000;

export function keyStatus(key: Pick<ApiKey, "status" | "expiresAt">, now = Date.now()): KeyStatus {
  if (key.status === "revoked") return "revoked";
  return isExpired(key.expiresAt, now) ? "expired" : "active";
}

function publicKey(key: ApiKey, now: number): PublicApiKey {
  const { hash: _h, type: _t, version: _v, ...rest } = key;
  return { ...rest, status: keyStatus(key, now) };
}

const keyPrefixOf = (id: number) => `AK-${pad(id, 3)}`;

/** What the caller may grant: their permissions, and when they call with a key, its scopes too. */
function callerHolds(caller: Principal, permission: string): boolean {
  return (
    hasPermission(caller.permissions, permission) && (!caller.apiKey || hasPermission(caller.apiKey.scopes, permission))
  );
}

function assertScopes(caller: Principal, owner: User, scopes: readonly string[]): void {
  assertCatalogued(scopes, ["body", "scope"]);
  scopes.forEach((scope, i) => {
    if (!hasPermission(owner.permissions, scope)) {
      const msg = `user '${owner.username}' does not hold '${scope}'; a key cannot exceed its owner`;
      throw new Invalid(`body.scope.${i}: ${msg}`, [{ loc: ["body", "scope", i], msg, type: "value_error" }]);
    }
    if (!callerHolds(caller, scope)) throw new Forbidden(`Cannot grant '${scope}': you do not hold it`);
  });
}

const unique = (xs: readonly string[]) => [...new Set(xs)];
const expiryFrom = (now: Date, days: number) => new Date(now.getTime() + days * 86_400_000).toISOString();

export interface GenerateApiKeyInput {
  name: string;
  description?: string;
  scope: string[];
  userId?: number;
  expiryDays?: number;
  rateLimit?: number;
  ipRestrictions?: string[];
  /** Tell the owner by email (never with the key in it). */
  notify?: boolean;
}

/** Emails the key's owner about their key; true when the notifier accepted the message. */
async function tellOwner(owner: User, kind: string, subject: string, body: string): Promise<boolean> {
  return notifier.send({ tenantId: owner.tenantId, channel: "email", to: owner.email, subject, body, kind });
}

export interface GeneratedKey {
  key: PublicApiKey;
  /** The only time the plaintext key exists outside its holder: return it once, store it never. */
  fullKey: string;
  owner: User;
  notificationsSent: boolean;
}

export async function generateApiKey(
  caller: Principal,
  input: GenerateApiKeyInput,
  now = new Date(),
): Promise<GeneratedKey> {
  const tenantId = caller.tenantId;
  const ownerId = input.userId ?? caller.userId;
  if (ownerId !== caller.userId && !callerHolds(caller, "users:admin")) {
    throw new Forbidden("Creating an API key for another user requires 'users:admin'");
  }
  const owner = await getUser(tenantId, ownerId, true);
  if (!owner) throw new NotFound(`User ${ownerId} not found`);
  const scopes = unique(input.scope);
  assertScopes(caller, owner, scopes);
  const id = await nextId(tenantId, apiKeyKeys.counter);
  const fullKey = newApiKeyMaterial();
  const created = now.toISOString();
  const key = await createApiKey({
    tenantId,
    id,
    name: input.name,
    description: input.description ?? "",
    keyPrefix: keyPrefixOf(id),
    keyStart: fullKey.slice(0, 8),
    hash: hashApiKey(fullKey),
    scopes,
    userId: owner.id,
    createdBy: caller.userId,
    createdAt: created,
    expiresAt: input.expiryDays === undefined ? null : expiryFrom(now, input.expiryDays),
    rateLimit: input.rateLimit ?? DEFAULT_KEY_RATE_LIMIT,
    ipRestrictions: unique(input.ipRestrictions ?? []),
    status: "active",
    revokedAt: null,
    revokedReason: null,
    updatedAt: created,
  });
  const notificationsSent = input.notify
    ? await tellOwner(
        owner,
        "api_key_generated",
        `New API key "${key.name}" on your account`,
        `${caller.username} created the API key "${key.name}" (${key.keyPrefix}, starts with ${key.keyStart}) for your account ` +
          `with scopes ${scopes.join(", ")}; it ${key.expiresAt ? `expires ${key.expiresAt}` : "does not expire"}. ` +
          "If you did not expect this, ask an administrator to revoke it.",
      )
    : false;
  return { key: publicKey(key, now.getTime()), fullKey, owner, notificationsSent };
}

/** Every key of a tenant (optionally of one owner), newest first, without hashes. */
export async function listApiKeys(tenantId: string, opts: { userId?: number } = {}): Promise<ListedApiKey[]> {
  const now = Date.now();
  const found = (await listApiKeyItems(tenantId))
    .filter((k) => opts.userId === undefined || k.userId === opts.userId)
    .sort((a, b) => b.id - a.id);
  const usage = await getUsage(
    tenantId,
    found.map((k) => k.id),
  );
  return found.map((k, i) => ({ ...publicKey(k, now), ...(usage[i] ?? parseUsage(undefined)) }));
}

export interface KeyListing {
  keys: (ListedApiKey & { owner: { id: number; username: string | null } })[];
  total: number;
  active: number;
  expired: number;
  revoked: number;
}

/**
 * The list route: totals count every key of the tenant (of `userId` when given) whatever the
 * status filter and limit, so a client can show "5 active, 2 expired, 1 revoked" beside a page.
 */
export async function apiKeyListing(
  tenantId: string,
  opts: { status?: KeyStatus; userId?: number; limit: number },
): Promise<KeyListing> {
  const all = await listApiKeys(tenantId, { userId: opts.userId });
  const count = (s: KeyStatus) => all.filter((k) => k.status === s).length;
  const page = all.filter((k) => !opts.status || k.status === opts.status).slice(0, opts.limit);
  const ownerIds = [...new Set(page.map((k) => k.userId))];
  const owners = new Map<number, string>();
  for (const u of await getUsers(tenantId, ownerIds)) if (u) owners.set(u.id, u.username);
  return {
    keys: page.map((k) => ({ ...k, owner: { id: k.userId, username: owners.get(k.userId) ?? null } })),
    total: all.length,
    active: count("active"),
    expired: count("expired"),
    revoked: count("revoked"),
  };
}

async function loadKey(tenantId: string, keyId: number): Promise<ApiKey> {
  const key = await getApiKey(tenantId, keyId, true);
  if (!key) throw new NotFound(`API key ${keyId} not found`);
  return key;
}

export interface RevokeResult {
  key: PublicApiKey;
  /**
   * API keys are stateless credentials, so there is no login session to end: this is 1 when the
   * key was used in the last 15 minutes (a live client is now cut off), else 0.
   */
  liveClientsCutOff: number;
  userNotified: boolean;
}

export async function revokeApiKey(
  caller: Principal,
  input: { keyId: number; reason?: string; notify?: boolean },
  now = new Date(),
): Promise<RevokeResult> {
  const key = await loadKey(caller.tenantId, input.keyId);
  if (key.status === "revoked") throw new Conflict(`API key ${key.id} is already revoked`);
  const at = now.toISOString();
  const saved = await updateApiKeyItem(key, {
    status: "revoked",
    revokedAt: at,
    revokedReason: input.reason ?? null,
    updatedAt: at,
  });
  const [usage] = await getUsage(caller.tenantId, [key.id]);
  const lastUsed = usage?.lastUsed ?? null;
  const live = lastUsed !== null && now.getTime() - new Date(lastUsed).getTime() < LIVE_USE_MS;
  let userNotified = false;
  if (input.notify) {
    const owner = await getUser(caller.tenantId, key.userId);
    userNotified = owner
      ? await tellOwner(
          owner,
          "api_key_revoked",
          `API key "${key.name}" revoked`,
          `${caller.username} revoked your API key "${key.name}" (${key.keyPrefix})${input.reason ? `: ${input.reason}` : ""}. ` +
            "Requests made with it are refused from now on.",
        )
      : false;
  }
  return { key: publicKey(saved, now.getTime()), liveClientsCutOff: live ? 1 : 0, userNotified };
}

export interface UpdateApiKeyInput {
  keyId: number;
  name?: string;
  description?: string;
  scope?: string[];
  /** Days from now; `null` removes the expiry. */
  expiryDays?: number | null;
  rateLimit?: number;
  ipRestrictions?: string[];
}

export type KeyChanges = Record<string, { old?: unknown; new?: unknown; added?: string[]; removed?: string[] }>;

function setDiff(before: readonly string[], after: readonly string[]) {
  const added = after.filter((s) => !before.includes(s));
  const removed = before.filter((s) => !after.includes(s));
  return added.length || removed.length
    ? { ...(added.length ? { added } : {}), ...(removed.length ? { removed } : {}) }
    : undefined;
}

export async function updateApiKey(
  caller: Principal,
  input: UpdateApiKeyInput,
  now = new Date(),
): Promise<{ key: PublicApiKey; changes: KeyChanges }> {
  const key = await loadKey(caller.tenantId, input.keyId);
  if (key.status === "revoked") throw new Conflict(`API key ${key.id} is revoked and cannot be changed`);
  const changes: KeyChanges = {};
  const next: Partial<ApiKey> = {};
  if (input.name !== undefined && input.name !== key.name) {
    changes.name = { old: key.name, new: input.name };
    next.name = input.name;
  }
  if (input.description !== undefined && input.description !== key.description) {
    changes.description = { old: key.description, new: input.description };
    next.description = input.description;
  }
  if (input.scope !== undefined) {
    const scopes = unique(input.scope);
    const owner = await getUser(caller.tenantId, key.userId, true);
    if (!owner) throw new Conflict(`API key ${key.id}'s owner no longer exists; revoke or transfer it`);
    assertScopes(caller, owner, scopes);
    const diff = setDiff(key.scopes, scopes);
    if (diff) {
      changes.scope = diff;
      next.scopes = scopes;
    }
  }
  if (input.rateLimit !== undefined && input.rateLimit !== key.rateLimit) {
    changes.rate_limit = { old: key.rateLimit, new: input.rateLimit };
    next.rateLimit = input.rateLimit;
  }
  if (input.expiryDays !== undefined) {
    const expiresAt = input.expiryDays === null ? null : expiryFrom(now, input.expiryDays);
    if (expiresAt !== key.expiresAt) {
      changes.expiry = { old: key.expiresAt, new: expiresAt };
      next.expiresAt = expiresAt;
    }
  }
  if (input.ipRestrictions !== undefined) {
    const list = unique(input.ipRestrictions);
    const diff = setDiff(key.ipRestrictions, list);
    if (diff) {
      changes.ip_restrictions = diff;
      next.ipRestrictions = list;
    }
  }
  if (Object.keys(next).length === 0) return { key: publicKey(key, now.getTime()), changes };
  const saved = await updateApiKeyItem(key, { ...next, updatedAt: now.toISOString() });
  return { key: publicKey(saved, now.getTime()), changes };
}

/** Revokes every key of a user (deletion, offboarding); returns how many were revoked. */
export async function revokeApiKeysOfUser(
  tenantId: string,
  userId: number,
  reason = "Owner account removed",
): Promise<number> {
  const at = new Date().toISOString();
  const live = (await listApiKeyItems(tenantId)).filter((k) => k.userId === userId && k.status !== "revoked");
  for (const key of live)
    await updateApiKeyItem(key, { status: "revoked", revokedAt: at, revokedReason: reason, updatedAt: at });
  return live.length;
}

/**
 * Hands every unrevoked key of `fromUserId` to `toUserId`. Scopes the new owner does not hold are
 * dropped (a key never exceeds its owner); a key left with no scope at all is revoked instead.
 */
export async function transferApiKeys(
  tenantId: string,
  fromUserId: number,
  toUserId: number,
): Promise<{ transferred: number; revoked: number }> {
  const to = await getUser(tenantId, toUserId, true);
  if (!to) throw new NotFound(`User ${toUserId} not found`);
  const at = new Date().toISOString();
  const owned = (await listApiKeyItems(tenantId)).filter((k) => k.userId === fromUserId && k.status !== "revoked");
  let transferred = 0;
  let revoked = 0;
  for (const key of owned) {
    const scopes = key.scopes.filter((s) => hasPermission(to.permissions, s));
    if (scopes.length === 0) {
      await updateApiKeyItem(key, {
        status: "revoked",
        revokedAt: at,
        revokedReason: `Transferred to user ${toUserId}, who holds none of its scopes`,
        updatedAt: at,
      });
      revoked++;
    } else {
      await reassignApiKey(key, toUserId, scopes);
      transferred++;
    }
  }
  return { transferred, revoked };
}

// ---------------------------------------------------------------------------------------------
// Backup and restore: keys travel as their hash, never as the key.

/** A key as a backup carries it: everything stored but usage, with its HMAC hash and no key. */
export interface ApiKeyRecord {
  id: number;
  name: string;
  description: string;
  key_prefix: string;
  key_start: string;
  hash: string;
  scopes: string[];
  user_id: number;
  created_at: string;
  expires_at: string | null;
  rate_limit: number;
  ip_restrictions: string[];
  status: "active" | "revoked";
  revoked_at: string | null;
}

export async function apiKeyRecords(tenantId: string): Promise<ApiKeyRecord[]> {
  return (await listApiKeyItems(tenantId)).map((k) => ({
    id: k.id,
    name: k.name,
    description: k.description,
    key_prefix: k.keyPrefix,
    key_start: k.keyStart,
    hash: k.hash,
    scopes: k.scopes,
    user_id: k.userId,
    created_at: k.createdAt,
    expires_at: k.expiresAt,
    rate_limit: k.rateLimit,
    ip_restrictions: k.ipRestrictions,
    status: k.status,
    revoked_at: k.revokedAt,
  }));
}

export interface ApiKeyRestorePlan {
  create: Omit<ApiKey, "type" | "version">[];
  skipped: { id: number; name: string; reason: string }[];
}

/**
 * What restoring `records` would do, checked without writing. A key missing from the tenant is
 * recreated with its exact hash (so it keeps working with the secret its holder has), when it is
 * active, unexpired, its owner still exists and holds its scopes, and its hash is not in use.
 * A key that still exists is never touched (a revoked key is never revived by a restore);
 * revoked and expired keys are not recreated. Scopes beyond what the caller holds are refused.
 */
export async function planApiKeyRestore(
  caller: Principal,
  records: readonly ApiKeyRecord[],
  field = "api_keys",
  now = new Date(),
): Promise<ApiKeyRestorePlan> {
  const tenantId = caller.tenantId;
  const existing = new Map((await listApiKeyItems(tenantId)).map((k) => [k.id, k]));
  const plan: ApiKeyRestorePlan = { create: [], skipped: [] };
  for (const [i, r] of records.entries()) {
    const skip = (reason: string) => plan.skipped.push({ id: r.id, name: r.name, reason });
    const have = existing.get(r.id);
    if (have) {
      skip(have.hash === r.hash ? "present" : "another key has this id now; kept as it is");
      continue;
    }
    if (r.status === "revoked") {
      skip("revoked keys are not recreated");
      continue;
    }
    if (isExpired(r.expires_at, now.getTime())) {
      skip("expired");
      continue;
    }
    const owner = await getUser(tenantId, r.user_id, true);
    if (!owner) {
      skip(`its owner (user ${r.user_id}) no longer exists`);
      continue;
    }
    r.scopes.forEach((scope, j) => {
      if (!hasPermission(owner.permissions, scope)) {
        const msg = `user '${owner.username}' does not hold '${scope}'; a key cannot exceed its owner`;
        throw new Invalid(`${field}.${i}.scopes.${j}: ${msg}`, [
          { loc: ["body", field, i, "scopes", j], msg, type: "value_error" },
        ]);
      }
      if (!callerHolds(caller, scope)) throw new Forbidden(`Cannot grant '${scope}': you do not hold it`);
    });
    if (await findApiKeyPointer(r.hash)) {
      skip("its hash is in use by another key");
      continue;
    }
    plan.create.push({
      tenantId,
      id: r.id,
      name: r.name,
      description: r.description,
      keyPrefix: r.key_prefix,
      keyStart: r.key_start,
      hash: r.hash,
      scopes: unique(r.scopes),
      userId: r.user_id,
      createdBy: caller.userId,
      createdAt: r.created_at,
      expiresAt: r.expires_at,
      rateLimit: r.rate_limit,
      ipRestrictions: unique(r.ip_restrictions),
      status: "active",
      revokedAt: null,
      revokedReason: null,
      updatedAt: now.toISOString(),
    });
  }
  return plan;
}

/** Writes a plan made by `planApiKeyRestore` (each key with its hash pointer, as `generateApiKey` does). */
export async function applyApiKeyRestore(plan: ApiKeyRestorePlan): Promise<number> {
  for (const key of plan.create) await createApiKey(key);
  return plan.create.length;
}
