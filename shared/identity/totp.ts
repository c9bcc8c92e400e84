/**
 * TOTP (RFC 6238) over HOTP (RFC 4226) with node:crypto, and the base32 (RFC 4648) that
 * authenticator apps read secrets in. Defaults are what every authenticator app assumes:
 * SHA-1, 6 digits, 30-second steps; verification accepts one step of clock drift either way.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

export function base32Encode(data: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = "";
  for (const byte of data) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

export function base32Decode(text: string): Buffer {
  const clean = text.toUpperCase().replace(/[\s=-]/g, "");
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const ch of clean) {
    const idx = ALPHABET.indexOf(ch);
    if (idx < 0) throw new Error("not base32");
    value = ((value << 5) | idx) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

export type TotpAlgorithm = "sha1" | "sha256" | "sha512";

export interface TotpOptions {
  step?: number;
  digits?: number;
  algorithm?: TotpAlgorithm;
}

/** RFC 4226 §5.3: HMAC over the 8-byte big-endian counter, dynamic truncation, modulo 10^digits. */
export function hotp(key: Buffer, counter: number, digits = 6, algorithm: TotpAlgorithm = "sha1"): string {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac(algorithm, key).update(msg).digest();
  const offset = (mac[mac.length - 1] ?? 0) & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, "0");
}

export const timeStep = (timeMs: number, step = 30): number => Math.floor(timeMs / 1000 / step);

export function totp(key: Buffer, timeMs: number, opts: TotpOptions = {}): string {
  return hotp(key, timeStep(timeMs, opts.step), opts.digits, opts.algorithm);
}

/**
 * The time step whose code matches, within ±`window` steps of `timeMs`, or null. Steps at or
 * before `notAfterStep` (the last one accepted) are refused, so an observed code cannot be replayed.
 */
export function verifyTotp(
  key: Buffer,
  code: string,
  timeMs: number,
  opts: TotpOptions & { window?: number; notAfterStep?: number } = {},
): number | null {
  const digits = opts.digits ?? 6;
  if (!new RegExp(`^\\d{${digits}}$`).test(code)) return null;
  const now = timeStep(timeMs, opts.step);
  const window = opts.window ?? 1;
  for (let s = now - window; s <= now + window; s++) {
    if (opts.notAfterStep !== undefined && s <= opts.notAfterStep) continue;
    const expected = hotp(key, s, digits, opts.algorithm);
    if (timingSafeEqual(Buffer.from(expected), Buffer.from(code))) return s;
  }
  return null;
}

/** 160 random bits, the RFC 4226 recommended secret length for SHA-1. */
export const generateTotpSecret = (): Buffer => randomBytes(20);

/** The `otpauth://` URI an authenticator app scans (Key Uri Format). */
export function otpauthUri(o: { issuer: string; account: string; secret: string }): string {
  const label = `${encodeURIComponent(o.issuer)}:${encodeURIComponent(o.account)}`;
  const params = new URLSearchParams({
    secret: o.secret,
    issuer: o.issuer,
    algorithm: "SHA1",
    digits: "6",
    period: "30",
  });
  return `otpauth://totp/${label}?${params.toString()}`;
}
