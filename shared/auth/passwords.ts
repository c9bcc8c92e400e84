/**
 * Password hashing with scrypt (node:crypto), per-user random salt, parameters stored with the
 * hash so they can be raised later without breaking old hashes. Defaults follow OWASP's
 * scrypt guidance (N=2^15, r=8, p=3: equivalent in cost to N=2^17, p=1 at a quarter of the memory).
 */
import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";

const N = 2 ** 15;
const R = 8;
const P = 3;
const KEY_LEN = 32;

function derive(password: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize("NFKC"), salt, KEY_LEN, { N: n, r, p, maxmem: 256 * n * r + 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

/** `scrypt$<N>$<r>$<p>$<salt b64>$<hash b64>` */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, N, R, P);
  return ["scrypt", N, R, P, salt.toString("base64"), key.toString("base64")].join("$");
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split("$");
  if (scheme !== "scrypt" || !n || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, "base64");
  const actual = await derive(password, Buffer.from(salt, "base64"), Number(n), Number(r), Number(p));
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/**
 * A hash of a random password, computed once per container: verifying against it when the login
 * name is unknown makes an unknown user cost the same time as a wrong password.
 */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword(randomBytes(16).toString("hex"));
  return decoy;
}

/** A strong random password for generated credentials (bootstrap admin, temporary passwords). */
export function generatePassword(length = 20): string {
  const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
  const specials = "!@#%^*-_=+";
  const bytes = randomBytes(length);
  const chars = Array.from(bytes, (b) => alphabet[b % alphabet.length]);
  // Guarantee every class a default policy asks for: upper, lower, digit, special.
  chars[0] = "ABCDEFGHJKLMNPQRSTUVWXYZ"[(bytes[0] ?? 0) % 24];
  chars[1] = "abcdefghijkmnopqrstuvwxyz"[(bytes[1] ?? 0) % 25];
  chars[2] = "23456789"[(bytes[2] ?? 0) % 8];
  chars[3] = specials[(bytes[3] ?? 0) % specials.length];
  return chars.join("");
}
