/**
 * API-key authentication (`X-API-Key: sk_…` or `Authorization: Bearer sk_…`): the key's HMAC hash
 * finds a global pointer (tenant, key id, owner), then one BatchGetItem loads the key, its owner
 * and the tenant, so revocation, expiry, owner lock and system lock apply on the very next
 * request. A use is counted with one UpdateItem after every check passed (the price of an exact
 * `usage_count` and `last_used`: one write per API-key request).
 *
 * Pointers are cached per container (they only ever change owner, and the key item, read on every
 * request, is authoritative for that), which saves the GetItem on warm calls.
 */
import { BlockList, isIP } from "node:net";
import { assertApiAccess } from "#shared/billing/limits.ts";
import { API_KEY_PATTERN, hashApiKey } from "#shared/crypto/api-key-hash.ts";
import {
  type ApiKeyPointer,
  apiKeyKeys,
  findApiKeyPointer,
  parseApiKey,
  recordApiKeyUse,
} from "#shared/identity/db/api-keys.ts";
import { getUser, parseUser, type User, userKeys } from "#shared/identity/db/users.ts";
import { Forbidden, Unauthorized } from "#shared/kit/errors.ts";
import { batchGet } from "#shared/table/repo.ts";
import { parseTenant, tenantKey } from "#shared/tenancy/tenants.ts";
import { isLocked } from "./account-status.ts";
import type { Principal } from "./principal.ts";

const INVALID = "Invalid API key provided";

/** Why an `ip_restrictions` entry is unusable, or undefined when it is an address or a CIDR. */
export function ipRestrictionProblem(entry: string): string | undefined {
  const [address = "", prefix, ...rest] = entry.split("/");
  const family = isIP(address);
  if (family === 0 || rest.length > 0 || address.includes("%")) return `'${entry}' is not an IPv4/IPv6 address or CIDR`;
  if (prefix === undefined) return undefined;
  const max = family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > max) return `'${entry}' has a prefix length outside 0–${max}`;
  return undefined;
}

/** `::ffff:10.0.0.1` (IPv4 seen through a dual-stack socket) is matched as 10.0.0.1. */
function normalizeAddress(ip: string): string {
  const mapped = ip.match(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i)?.[1];
  return mapped ?? ip;
}

/** True when `ip` is inside one of the entries; an empty list allows every address. */
export function ipAllowed(ip: string, restrictions: readonly string[]): boolean {
  if (restrictions.length === 0) return true;
  const address = normalizeAddress(ip);
  const family = isIP(address);
  if (family === 0) return false;
  const list = new BlockList();
  for (const entry of restrictions) {
    if (ipRestrictionProblem(entry)) continue;
    const [base = "", prefix] = entry.split("/");
    const type = isIP(base) === 4 ? "ipv4" : "ipv6";
    if (prefix === undefined) list.addAddress(base, type);
    else list.addSubnet(base, Number(prefix), type);
  }
  return list.check(address, family === 4 ? "ipv4" : "ipv6");
}

const POINTER_TTL_MS = 5 * 60_000;
const POINTER_CACHE_MAX = 1000;
const pointers = new Map<string, { pointer: ApiKeyPointer; at: number }>();

async function lookupPointer(hash: string): Promise<ApiKeyPointer | undefined> {
  const cached = pointers.get(hash);
  if (cached && Date.now() - cached.at < POINTER_TTL_MS) return cached.pointer;
  const pointer = await findApiKeyPointer(hash);
  if (!pointer) return undefined;
  if (pointers.size >= POINTER_CACHE_MAX) pointers.delete(pointers.keys().next().value ?? "");
  pointers.set(hash, { pointer, at: Date.now() });
  return pointer;
}

export function isExpired(expiresAt: string | null, now = Date.now()): boolean {
  return expiresAt !== null && new Date(expiresAt).getTime() <= now;
}

export async function resolveApiKey(key: string, meta: { ip: string }): Promise<Principal> {
  // A malformed key costs no database call.
  if (!API_KEY_PATTERN.test(key)) throw new Unauthorized(INVALID);
  const hash = hashApiKey(key);
  const pointer = await lookupPointer(hash);
  if (!pointer) throw new Unauthorized(INVALID);
  const { tenantId } = pointer;
  const [keyItem, userItem, tenantItem] = await batchGet([
    apiKeyKeys.key(tenantId, pointer.keyId),
    userKeys.user(tenantId, pointer.userId),
    tenantKey(tenantId),
  ]);
  const apiKey = parseApiKey(keyItem);
  if (!apiKey || apiKey.hash !== hash) {
    pointers.delete(hash);
    throw new Unauthorized(INVALID);
  }
  let owner: User | undefined = parseUser(userItem);
  if (apiKey.userId !== pointer.userId) {
    // The key changed owner since this container cached its pointer: the key item decides.
    pointers.delete(hash);
    owner = await getUser(tenantId, apiKey.userId);
  }
  const now = Date.now();
  if (apiKey.status === "revoked") throw new Unauthorized("API key has been revoked");
  if (isExpired(apiKey.expiresAt, now)) throw new Unauthorized("API key has expired");
  if (!owner || owner.status === "inactive" || isLocked(owner, now)) {
    throw new Unauthorized("API key refused: its owner's account is locked, inactive or deleted");
  }
  if (!ipAllowed(meta.ip, apiKey.ipRestrictions)) {
    throw new Forbidden(`API key is not allowed from address ${meta.ip} (ip_restrictions)`);
  }
  const tenant = parseTenant(tenantItem);
  // The plan's `api_access`: a tenant without it cannot use its keys (they stay, for an upgrade).
  assertApiAccess(tenant);
  await recordApiKeyUse(tenantId, apiKey.id, new Date(now).toISOString());
  return {
    kind: "apiKey",
    tenantId,
    userId: owner.id,
    username: owner.username,
    role: owner.role,
    permissions: owner.permissions,
    user: owner,
    tenant,
    apiKey: { id: apiKey.id, prefix: apiKey.keyPrefix, scopes: apiKey.scopes, rateLimit: apiKey.rateLimit },
  };
}
