/** Local stand-ins for the KMS keys: generated once, kept under the data directory (mode 0600). */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

export function generateJwtKeyPem(): string {
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  return privateKey.export({ format: "pem", type: "pkcs8" }).toString();
}

export function loadOrCreateJwtKey(file: string): string {
  if (existsSync(file)) return readFileSync(file, "utf8");
  mkdirSync(dirname(file), { recursive: true });
  const pem = generateJwtKeyPem();
  writeFileSync(file, pem, { mode: 0o600 });
  return pem;
}

/** The local stand-in for the KMS data key: 32 random bytes, base64, created once. */
export function loadOrCreateDataKey(file: string): string {
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  mkdirSync(dirname(file), { recursive: true });
  const key = randomBytes(32).toString("base64");
  writeFileSync(file, key, { mode: 0o600 });
  return key;
}
