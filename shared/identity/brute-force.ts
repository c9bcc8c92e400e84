/**
 * Brute-force defence per source address, across every login route and every tenant. Failed
 * sign-ins are counted per IP (db/ip-failures.ts): how many failures in the current window, which
 * distinct login names (hashed) they tried, and which tenants' accounts they targeted.
 *
 * Two trips block the address for `brute_force_protection.block_duration` minutes:
 * - `brute_force_ip_blocked`: `max_attempts_per_ip` failures within `window_minutes`;
 * - `credential_stuffing`: `account_protection.ip_blacklist_threshold` distinct login names failed
 *   within the window (one password tried against many accounts; the per-account lockout never
 *   sees more than one failure per account).
 * Thresholds come from the policy of the tenant whose account the failing attempt targeted
 * (the defaults for unknown names). The trip is audited in the trail of every tenant whose
 * accounts were targeted from that address in the window; an address that only ever tried unknown
 * names is blocked all the same, but there is no tenant trail to write that to.
 */
import { createHash } from "node:crypto";
import { countIpFailure, parseIpFailures, setIpBlock } from "#shared/identity/db/ip-failures.ts";
import type { Item } from "#shared/table/repo.ts";
import type { AuthPolicy } from "./auth-policy.ts";

/** Epoch ms until which the address is blocked, or 0. */
export function blockedUntil(item: Item | undefined, now = Date.now()): number {
  const until = parseIpFailures(item)?.blockedUntil ?? 0;
  return until > now ? until : 0;
}

/** Whether a block applies to a sign-in into a tenant with this policy. */
export const ipDefenceOn = (policy: AuthPolicy): boolean =>
  policy.brute_force_protection.enabled || policy.account_protection.ip_blacklist_enabled;

export interface IpTrip {
  tenantId: string;
  event: string;
  eventType: "brute_force_ip_blocked" | "credential_stuffing";
  severity: "high";
  details: Record<string, unknown>;
}

const nameHash = (name: string) => createHash("sha256").update(name).digest("hex").slice(0, 20);

/**
 * Counts one failed sign-in from `ip` (for `normalizedName`, in `tenantId` when the name is known)
 * and blocks the address when a threshold is reached. Answers the audit events of a new block.
 */
export async function recordIpFailure(
  ip: string,
  attempt: { normalizedName: string; tenantId?: string; policy: AuthPolicy },
  now = Date.now(),
): Promise<IpTrip[]> {
  const bf = attempt.policy.brute_force_protection;
  const ap = attempt.policy.account_protection;
  if (!ipDefenceOn(attempt.policy)) return [];
  const windowMs = bf.window_minutes * 60_000;
  const ttl = Math.floor((now + Math.max(windowMs, bf.block_duration * 60_000)) / 1000) + 60;
  const record = await countIpFailure(ip, {
    nameHash: nameHash(attempt.normalizedName),
    tenantId: attempt.tenantId,
    now,
    windowMs,
    expiresAt: ttl,
  });
  if (!record) return [];
  const bruteForce = bf.enabled && record.count >= bf.max_attempts_per_ip;
  const stuffing = ap.ip_blacklist_enabled && record.names.length >= ap.ip_blacklist_threshold;
  if (!bruteForce && !stuffing) return [];
  // Only the request that sets the block reports it, so a trip is audited once.
  if (!(await setIpBlock(ip, now + bf.block_duration * 60_000, now))) return [];
  const trips: IpTrip[] = [];
  for (const tenantId of record.tenants) {
    if (bruteForce) {
      trips.push({
        tenantId,
        event: "IP Blocked (Brute Force)",
        eventType: "brute_force_ip_blocked",
        severity: "high",
        details: { ip, attempts: record.count, window_minutes: bf.window_minutes, block_minutes: bf.block_duration },
      });
    }
    if (stuffing) {
      trips.push({
        tenantId,
        event: "Credential Stuffing Detected",
        eventType: "credential_stuffing",
        severity: "high",
        details: {
          ip,
          distinct_accounts: record.names.length,
          window_minutes: bf.window_minutes,
          block_minutes: bf.block_duration,
        },
      });
    }
  }
  return trips;
}
