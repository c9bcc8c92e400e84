/**
 * Delivery of one outgoing webhook event: a signed POST with retries and backoff, to a destination
 * the guard checks at connect time (redirects are not followed).
 */
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { isIP } from "node:net";
import { type DestinationOptions, DestinationRefused, guardedLookup, resolveDestination } from "./destination-guard.ts";
import { SIGNATURE_HEADER, signatureHeader } from "./signing.ts";

export interface WebhookTarget {
  url: string;
  /** Current secret first; the previous one too while its grace period lasts. */
  secrets: string[];
  retryCount: number;
  timeoutSeconds: number;
}

export interface WebhookEventBody {
  id: string;
  type: string;
  created: string;
  data: Record<string, unknown>;
}

export interface DeliveryResult {
  delivered: boolean;
  attempts: number;
  status?: number;
  error?: string;
}

function postOnce(
  url: URL,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
  opts: DestinationOptions,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = url.protocol === "https:" ? httpsRequest : httpRequest;
    const req = request(
      url,
      {
        method: "POST",
        headers: { ...headers, "Content-Length": String(Buffer.byteLength(body)) },
        lookup: guardedLookup(opts) as never,
        signal: AbortSignal.timeout(timeoutMs),
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const retryable = (status: number) => status >= 500 || status === 408 || status === 429;

/**
 * POSTs one event with retries: up to `retryCount` more attempts after the first, with
 * exponential backoff (`backoffMs`, doubling), each attempt bounded by `timeoutSeconds`.
 * A refused destination is not retried; neither is a 4xx other than 408/429.
 */
export async function deliverWebhook(
  target: WebhookTarget,
  event: WebhookEventBody,
  opts: DestinationOptions & { backoffMs?: number },
): Promise<DeliveryResult> {
  let url: URL;
  try {
    url = new URL(target.url);
  } catch {
    return { delivered: false, attempts: 0, error: "invalid url" };
  }
  if (url.protocol !== "https:" && !(opts.allowPrivate && url.protocol === "http:")) {
    return { delivered: false, attempts: 0, error: "destination refused: must use https" };
  }
  // Node connects to an address literal without calling `lookup`, so literals are checked here.
  const literal = url.hostname.replace(/^\[(.*)\]$/, "$1");
  if (isIP(literal)) {
    try {
      await resolveDestination(literal, opts);
    } catch (e) {
      if (e instanceof DestinationRefused)
        return { delivered: false, attempts: 1, error: `destination refused: ${e.message}` };
      throw e;
    }
  }
  const body = JSON.stringify(event);
  const backoff = opts.backoffMs ?? 1000;
  let last: DeliveryResult = { delivered: false, attempts: 0 };
  for (let attempt = 1; attempt <= 1 + target.retryCount; attempt++) {
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = {
      "Content-Type": "application/json",
      "User-Agent": "Warden-Webhooks/1",
      "X-Webhook-Id": event.id,
      "X-Webhook-Event": event.type,
      "X-Webhook-Timestamp": String(timestamp),
      [SIGNATURE_HEADER]: signatureHeader(target.secrets, timestamp, body),
    };
    try {
      const status = await postOnce(url, body, headers, target.timeoutSeconds * 1000, opts);
      if (status >= 200 && status < 300) return { delivered: true, attempts: attempt, status };
      last = { delivered: false, attempts: attempt, status, error: `HTTP ${status}` };
      if (!retryable(status)) return last;
    } catch (e) {
      if (e instanceof DestinationRefused)
        return { delivered: false, attempts: attempt, error: `destination refused: ${e.message}` };
      // The only abort signal is the attempt's timeout.
      const timedOut = ["TimeoutError", "AbortError"].includes((e as Error).name);
      last = { delivered: false, attempts: attempt, error: timedOut ? "timeout" : (e as Error).message };
    }
    if (attempt <= target.retryCount) await new Promise((r) => setTimeout(r, backoff * 2 ** (attempt - 1)));
  }
  return last;
}
