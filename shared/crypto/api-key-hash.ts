/**
 * API keys: generation and the one-way hash they are stored and looked up by.
 *
 * The hash is HMAC-SHA256 keyed with a server-side pepper, so a copy of the table alone does not
 * even let anyone test a candidate key. The pepper is derived (HKDF-SHA256) from the local master
 * key `WARDEN_DATA_KEY` when one is configured. A KMS GenerateMac per request would keep the pepper
 * inside KMS but costs one KMS call on every API-key request (latency, cost, throttling), so it is
 * not used. Where no local master key exists (AWS), the HMAC falls back to a fixed, public label:
 * that is plain-SHA-256 strength, which for a 256-bit random key still makes offline guessing
 * infeasible; the pepper is defence in depth, not the primary protection.
 * Changing the pepper invalidates every stored key (lookups are by hash), so it must stay stable.
 */
import { createHmac, hkdfSync, randomBytes } from "node:crypto";
import { config } from "#shared/kit/config.ts";

/** `sk_` + 32 random bytes as hex: the format the gateway spec shows, 256 bits of entropy. */
export const API_KEY_PATTERN = /^sk_[0-9a-f]{64}$/;

export function newApiKeyMaterial(): string {
  return `sk_${randomBytes(32).toString("hex")}`;
}

let pepper: Buffer | undefined;
function apiKeyPepper(): Buffer {
  if (pepper) return pepper;
  pepper = config.WARDEN_DATA_KEY
    ? Buffer.from(hkdfSync("sha256", Buffer.from(config.WARDEN_DATA_KEY, "base64"), "warden", "api-key-hash/v1", 32))
    : Buffer.from("warden api-key-hash/v1 (no pepper configured)", "utf8");
  return pepper;
}

/** Hex HMAC-SHA256 of the full key: what the table stores and what the global pointer is keyed by. */
export function hashApiKey(key: string): string {
  return createHmac("sha256", apiKeyPepper()).update(key, "utf8").digest("hex");
}
