/**
 * Signing of outgoing webhooks: the secret's shape and how it is shown, and the signature.
 *
 * Signature format (documented for receivers):
 *   X-Webhook-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>[,v1=<…>]
 * One `v1` per valid secret: during a rotation's grace period deliveries carry a signature with
 * the new secret and one with the old, so a receiver still holding the old secret keeps working.
 * Receivers should compare in constant time and refuse timestamps older than a few minutes.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export const SIGNATURE_HEADER = "X-Webhook-Signature";
export const SIGNATURE_FORMAT = 't=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">';

export const newWebhookSecret = (): string => `whsec_${randomBytes(32).toString("hex")}`;
export const secretHint = (secret: string): string => secret.slice(-4);
/** How a secret is shown after the response that created it: prefix and last four characters. */
export const maskSecret = (hint: string | null): string | null => (hint === null ? null : `whsec_…${hint}`);

export function signWebhook(secret: string, timestamp: number, body: string): string {
  return createHmac("sha256", secret).update(`${timestamp}.${body}`, "utf8").digest("hex");
}

export function signatureHeader(secrets: readonly string[], timestamp: number, body: string): string {
  return [`t=${timestamp}`, ...secrets.map((s) => `v1=${signWebhook(s, timestamp, body)}`)].join(",");
}

/** What a receiver does: true when one `v1` matches `secret` and the timestamp is recent. */
export function verifyWebhookSignature(
  header: string,
  body: string,
  secret: string,
  opts: { toleranceSeconds?: number; now?: number } = {},
): boolean {
  const parts = header.split(",").map((p) => p.trim().split("="));
  const t = Number(parts.find(([k]) => k === "t")?.[1]);
  if (!Number.isInteger(t)) return false;
  const now = Math.floor((opts.now ?? Date.now()) / 1000);
  if (Math.abs(now - t) > (opts.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signWebhook(secret, t, body), "hex");
  return parts
    .filter(([k, v]) => k === "v1" && v !== undefined && /^[0-9a-f]{64}$/.test(v))
    .some(([, v]) => timingSafeEqual(Buffer.from(v ?? "", "hex"), expected));
}
