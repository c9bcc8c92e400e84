/**
 * Envelope encryption for secrets at rest (webhook secrets, TOTP seeds, private keys, cloud
 * credentials). Each secret gets its own random 256-bit data key; the secret is sealed with
 * AES-256-GCM under that data key with the tenant id as additional authenticated data, and only
 * the wrapped data key is stored next to it:
 *
 * - AWS (`DATA_KMS_KEY_ID` set): KMS GenerateDataKey / Decrypt with EncryptionContext
 *   `{ tenant }`, so a ciphertext of one tenant cannot be decrypted under another tenant's context
 *   and every unwrap is visible in CloudTrail with its tenant.
 * - Local (`WARDEN_DATA_KEY`, base64 of 32 bytes): the data key is wrapped with AES-256-GCM under
 *   that master key, AAD `warden-dek:<tenant>`.
 *
 * The stored form is one printable string, `v1.<scheme>.<wrapped key>.<iv>.<ciphertext>.<tag>`
 * (base64url parts). The scheme travels with the ciphertext, so decryption never guesses.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { config } from "#shared/kit/config.ts";
import { onFirstUse } from "#shared/kit/lazy.ts";

type Scheme = "kms" | "local";

interface DataKey {
  plaintext: Buffer;
  wrapped: Buffer;
}

const IV_BYTES = 12;
const b64u = (b: Buffer) => b.toString("base64url");

function gcmSeal(key: Buffer, plaintext: Buffer, aad: string): { iv: Buffer; ct: Buffer; tag: Buffer } {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(aad, "utf8"));
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, ct, tag: cipher.getAuthTag() };
}

function gcmOpen(key: Buffer, iv: Buffer, ct: Buffer, tag: Buffer, aad: string): Buffer {
  const decipher = createDecipheriv("aes-256-gcm", key, iv);
  decipher.setAAD(Buffer.from(aad, "utf8"));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(ct), decipher.final()]);
}

/** The local master key, checked once: exactly 32 bytes, or a loud configuration error. */
let master: Buffer | undefined;
function localMasterKey(): Buffer {
  if (master) return master;
  if (!config.WARDEN_DATA_KEY) throw new Error("No data key: set DATA_KMS_KEY_ID (AWS) or WARDEN_DATA_KEY (local)");
  const key = Buffer.from(config.WARDEN_DATA_KEY, "base64");
  if (key.length !== 32) throw new Error("WARDEN_DATA_KEY must be the base64 of exactly 32 bytes");
  master = key;
  return key;
}

const localDekAad = (tenantId: string) => `warden-dek:${tenantId}`;

function localGenerate(tenantId: string): DataKey {
  const plaintext = randomBytes(32);
  const { iv, ct, tag } = gcmSeal(localMasterKey(), plaintext, localDekAad(tenantId));
  return { plaintext, wrapped: Buffer.concat([iv, tag, ct]) };
}

function localUnwrap(tenantId: string, wrapped: Buffer): Buffer {
  const iv = wrapped.subarray(0, IV_BYTES);
  const tag = wrapped.subarray(IV_BYTES, IV_BYTES + 16);
  const ct = wrapped.subarray(IV_BYTES + 16);
  return gcmOpen(localMasterKey(), iv, ct, tag, localDekAad(tenantId));
}

// Imported lazily so functions that never touch secrets (and local mode) never load the KMS client.
const kmsClient = onFirstUse<{
  m: typeof import("@aws-sdk/client-kms");
  client: import("@aws-sdk/client-kms").KMSClient;
}>(() => import("@aws-sdk/client-kms").then((m) => ({ m, client: new m.KMSClient({ region: config.AWS_REGION }) })));

async function kmsGenerate(tenantId: string, keyId: string): Promise<DataKey> {
  const { m, client } = await kmsClient();
  const out = await client.send(
    new m.GenerateDataKeyCommand({ KeyId: keyId, KeySpec: "AES_256", EncryptionContext: { tenant: tenantId } }),
  );
  if (!out.Plaintext || !out.CiphertextBlob) throw new Error("KMS returned no data key");
  return { plaintext: Buffer.from(out.Plaintext), wrapped: Buffer.from(out.CiphertextBlob) };
}

async function kmsUnwrap(tenantId: string, wrapped: Buffer): Promise<Buffer> {
  const { m, client } = await kmsClient();
  const out = await client.send(
    new m.DecryptCommand({
      CiphertextBlob: wrapped,
      EncryptionContext: { tenant: tenantId },
      ...(config.DATA_KMS_KEY_ID ? { KeyId: config.DATA_KMS_KEY_ID } : {}),
    }),
  );
  if (!out.Plaintext) throw new Error("KMS returned no plaintext");
  return Buffer.from(out.Plaintext);
}

function currentScheme(): Scheme {
  if (config.DATA_KMS_KEY_ID) return "kms";
  if (config.WARDEN_DATA_KEY) return "local";
  throw new Error("No data key: set DATA_KMS_KEY_ID (AWS) or WARDEN_DATA_KEY (local)");
}

/** Seals `plaintext` for `tenantId`; the result is safe to store and to log the length of, nothing more. */
export async function encryptSecret(tenantId: string, plaintext: string): Promise<string> {
  const scheme = currentScheme();
  const dek = scheme === "kms" ? await kmsGenerate(tenantId, config.DATA_KMS_KEY_ID ?? "") : localGenerate(tenantId);
  try {
    const { iv, ct, tag } = gcmSeal(dek.plaintext, Buffer.from(plaintext, "utf8"), tenantId);
    return ["v1", scheme, b64u(dek.wrapped), b64u(iv), b64u(ct), b64u(tag)].join(".");
  } finally {
    dek.plaintext.fill(0);
  }
}

/**
 * Opens a value sealed by `encryptSecret` for the same tenant. A value of another tenant, a
 * tampered value or a value sealed under another master key fails (GCM authentication), loudly.
 */
export async function decryptSecret(tenantId: string, ciphertext: string): Promise<string> {
  const parts = ciphertext.split(".");
  const [version, scheme, wrapped, iv, ct, tag] = parts;
  if (parts.length !== 6 || version !== "v1" || !wrapped || !iv || ct === undefined || !tag) {
    throw new Error("decryptSecret: not an envelope this service sealed");
  }
  if (scheme !== "kms" && scheme !== "local") throw new Error(`decryptSecret: unknown scheme '${scheme}'`);
  const from = (s: string) => Buffer.from(s, "base64url");
  const key = scheme === "kms" ? await kmsUnwrap(tenantId, from(wrapped)) : localUnwrap(tenantId, from(wrapped));
  try {
    return gcmOpen(key, from(iv), from(ct), from(tag), tenantId).toString("utf8");
  } finally {
    key.fill(0);
  }
}

/**
 * A fresh data key for sealing something larger than a secret (an encrypted backup file): the
 * plaintext key (zero it after use) and its wrapped form, with the scheme that wrapped it. The
 * wrapping is bound to the tenant exactly as for secrets (KMS EncryptionContext `{ tenant }`, or
 * the local master key with AAD `warden-dek:<tenant>`).
 */
export async function generateDataKey(tenantId: string): Promise<DataKey & { scheme: Scheme }> {
  const scheme = currentScheme();
  const dek = scheme === "kms" ? await kmsGenerate(tenantId, config.DATA_KMS_KEY_ID ?? "") : localGenerate(tenantId);
  return { ...dek, scheme };
}

/** Unwraps a data key made by `generateDataKey` for the same tenant; another tenant's fails loudly. */
export async function unwrapDataKey(tenantId: string, scheme: string, wrapped: Buffer): Promise<Buffer> {
  if (scheme === "kms") return kmsUnwrap(tenantId, wrapped);
  if (scheme === "local") return localUnwrap(tenantId, wrapped);
  throw new Error(`unwrapDataKey: unknown scheme '${scheme}'`);
}
