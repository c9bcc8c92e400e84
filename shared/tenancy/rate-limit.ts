/**
 * Fixed-window rate limiting, and the metering of a tenant's API requests per month, in one atomic
 * UpdateItem per request (db/rate-windows.ts). The subject is the tenant's signed-in users or one
 * of its API keys for authenticated calls, and the source address for anonymous ones (login).
 */
import type { Key } from "#shared/table/keys.ts";
import {
  countRequest,
  noteWindow,
  type RequestSubject,
  requestSubjects,
  requestsByMonth,
  windowProbe,
} from "./db/rate-windows.ts";

export type { RequestSubject };

/** Requests per minute, from the specs' rate-limiting sections. */
export const RATE_CLASSES = {
  auth: 10,
  "auth-strict": 5,
  scan: 10,
  ai: 20,
  billing: 30,
  metrics: 60,
  general: 100,
  /**
   * The GRC surface (compliance records, incidents, dashboards): a window of its own, so a
   * compliance dashboard that polls never spends the budget of the fleet's operations, nor the reverse.
   */
  compliance: 100,
  /** Device ingest and webhooks from Stripe: limited upstream, not per tenant. */
  unlimited: Number.POSITIVE_INFINITY,
} as const;

export type RateClass = keyof typeof RATE_CLASSES;

export interface RateState {
  limit: number;
  remaining: number;
  /** Epoch seconds at which the window resets. */
  reset: number;
  exceeded: boolean;
}

const WINDOW_SECONDS = 60;

/**
 * Whose window a request counts in: an API key's own, the tenant's for a signed-in user, the
 * source address's for an anonymous call.
 */
export function rateSubject(caller: { tenantId: string; apiKeyId?: number } | undefined, ip: string): RequestSubject {
  if (!caller) return requestSubjects.address(ip);
  return caller.apiKeyId === undefined
    ? requestSubjects.tenant(caller.tenantId)
    : requestSubjects.apiKey(caller.tenantId, caller.apiKeyId);
}

/** A tenant's months of API requests are kept for the usage history; an address's only for its month. */
const TENANT_MONTHS_KEPT_DAYS = 400;

function monthEnd(epochSeconds: number): number {
  const d = new Date(epochSeconds * 1000);
  return Math.floor(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) / 1000);
}

const currentWindow = (nowMs = Date.now()) => {
  const now = Math.floor(nowMs / 1000);
  return now - (now % WINDOW_SECONDS);
};

/**
 * A read that spares a request's rate count a second call: the subject's window item, for the
 * caller to read with its own reads before the count (see db/rate-windows.ts `windowProbe`), and
 * what to do with it. Undefined when there is nothing to learn (this container knows the window).
 */
export interface RateProbe {
  key: Key;
  seen(item: Record<string, unknown> | undefined): void;
}

export function rateProbe(subject: RequestSubject, rateClass: RateClass): RateProbe | undefined {
  if (rateClass === "unlimited") return undefined;
  const windowStart = currentWindow();
  const key = windowProbe(subject, rateClass, windowStart);
  return key && { key, seen: (item) => noteWindow(key, windowStart, item) };
}

export async function consume(
  subject: RequestSubject,
  rateClass: RateClass,
  limit = RATE_CLASSES[rateClass],
): Promise<RateState> {
  const windowStart = currentWindow();
  const reset = windowStart + WINDOW_SECONDS;
  const keepDays = subject.scope === "ADDR" ? 1 : TENANT_MONTHS_KEPT_DAYS;
  const count = await countRequest(subject, rateClass, windowStart, monthEnd(windowStart) + keepDays * 86_400);
  return { limit, remaining: Math.max(0, limit - count), reset, exceeded: count > limit };
}

export function rateHeaders(s: RateState): Record<string, string> {
  return {
    "X-RateLimit-Limit": String(s.limit),
    "X-RateLimit-Remaining": String(s.remaining),
    "X-RateLimit-Reset": String(s.reset),
  };
}

/** A tenant's API requests (every authenticated request, any route) per month `yyyy-mm`, first to last. */
export function apiRequestsByMonth(tenantId: string, first: string, last: string): Promise<Map<string, number>> {
  return requestsByMonth(tenantId, first, last);
}
