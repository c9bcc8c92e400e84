/**
 * Fixed-window rate limiting, one atomic counter item per subject, class and minute. The subject
 * is the tenant for authenticated calls and the source address for anonymous ones (login).
 */
import { countRequest, rateSubjects } from "./db/rate-windows.ts";

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
export function rateSubject(caller: { tenantId: string; apiKeyId?: number } | undefined, ip: string): string {
  if (!caller) return rateSubjects.address(ip);
  return caller.apiKeyId === undefined
    ? rateSubjects.tenant(caller.tenantId)
    : rateSubjects.apiKey(caller.tenantId, caller.apiKeyId);
}

export async function consume(
  subject: string,
  rateClass: RateClass,
  limit = RATE_CLASSES[rateClass],
): Promise<RateState> {
  const now = Math.floor(Date.now() / 1000);
  const windowStart = now - (now % WINDOW_SECONDS);
  const reset = windowStart + WINDOW_SECONDS;
  const count = await countRequest(subject, rateClass, windowStart, reset + WINDOW_SECONDS);
  return { limit, remaining: Math.max(0, limit - count), reset, exceeded: count > limit };
}

export function rateHeaders(s: RateState): Record<string, string> {
  return {
    "X-RateLimit-Limit": String(s.limit),
    "X-RateLimit-Remaining": String(s.remaining),
    "X-RateLimit-Reset": String(s.reset),
  };
}
