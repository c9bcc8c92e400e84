/**
 * The encrypted backup file, version 1. A backup is a tar.gz (archive.ts); `encrypt: true` (the
 * default) seals it in this envelope, `encrypt: false` stores the tar.gz as it is.
 *
 *   offset   size  field
 *   0        4     magic "WBAK"
 *   4        1     format version (1)
 *   5        1     key mode: 1 = data key (KMS GenerateDataKey in AWS, the local master key
 *                  locally; see shared/crypto/envelope.ts), 2 = password (scrypt)
 *   6        2     header length H (unsigned, big-endian), at most 4096
 *   8        H     header: UTF-8 JSON
 *                    { "backup_id", "created",
 *                      "iv": base64 of 12 bytes,
 *                      mode 1: "key": { "scheme": "kms" | "local", "wrapped": base64 },
 *                      mode 2: "kdf": { "name": "scrypt", "N", "r", "p", "salt": base64 of 16 bytes } }
 *   8+H      n     ciphertext: AES-256-GCM of the tar.gz
 *   end-16   16    GCM tag
 *
 * Additional authenticated data: `warden-backup/1` NUL tenant id NUL, then bytes 0 … 8+H of the
 * file. So the tag covers the header (a changed kdf parameter, salt, iv or backup id fails) and
 * the tenant: a backup of another tenant fails authentication exactly like a wrong password or a
 * flipped bit, and nothing of it is ever decrypted. In mode 1 the data key is also wrapped for the
 * tenant (KMS EncryptionContext `{tenant}`), so another tenant cannot even unwrap it.
 *
 * Password mode: scrypt with N = 2^17, r = 8, p = 1 (OWASP's recommendation; 128 MiB, a few
 * hundred milliseconds) and a random 16-byte salt derive the 256-bit key. On opening, parameters
 * are accepted only within N 2^15 … 2^17, r 8, p 1 … 2: a crafted file cannot make the function
 * spend a gigabyte of memory.
 */
import { createCipheriv, createDecipheriv, randomBytes, scrypt } from "node:crypto";
import { generateDataKey, unwrapDataKey } from "#shared/crypto/envelope.ts";
import { Invalid } from "#shared/kit/errors.ts";

const MAGIC = Buffer.from("WBAK", "ascii");
const VERSION = 1;
const MODE_DATA_KEY = 1;
const MODE_PASSWORD = 2;
const PREFIX_BYTES = 8;
const MAX_HEADER_BYTES = 4096;
const TAG_BYTES = 16;
const IV_BYTES = 12;
const SALT_BYTES = 16;

export const SCRYPT_PARAMS = { N: 2 ** 17, r: 8, p: 1 } as const;
const SCRYPT_LIMITS = { minN: 2 ** 15, maxN: 2 ** 17, r: 8, maxP: 2 };
/** 128 · N · r · p bytes, with room to spare. */
const SCRYPT_MAXMEM = 192 * 1024 * 1024;

export interface SealedHeader {
  backup_id: string;
  created: string;
}

interface Header extends SealedHeader {
  iv: string;
  key?: { scheme: string; wrapped: string };
  kdf?: { name: "scrypt"; N: number; r: number; p: number; salt: string };
}

const aad = (tenantId: string, prefixAndHeader: Buffer) =>
  Buffer.concat([Buffer.from(`warden-backup/1\0${tenantId}\0`, "utf8"), prefixAndHeader]);

function deriveKey(password: string, salt: Buffer, p: { N: number; r: number; p: number }): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize("NFC"), salt, 32, { ...p, maxmem: SCRYPT_MAXMEM }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

/** True when `file` starts like a sealed backup (otherwise it may be a plain tar.gz). */
export const isSealed = (file: Buffer): boolean => file.length >= MAGIC.length && file.subarray(0, 4).equals(MAGIC);

/** Seals a tar.gz for `tenantId`: under the password when one is given, else under a fresh data key. */
export async function seal(
  tenantId: string,
  archive: Buffer,
  meta: SealedHeader,
  password: string | undefined,
): Promise<Buffer> {
  const iv = randomBytes(IV_BYTES);
  let key: Buffer;
  let header: Header;
  if (password !== undefined) {
    const salt = randomBytes(SALT_BYTES);
    key = await deriveKey(password, salt, SCRYPT_PARAMS);
    header = {
      ...meta,
      iv: iv.toString("base64"),
      kdf: { name: "scrypt", ...SCRYPT_PARAMS, salt: salt.toString("base64") },
    };
  } else {
    const dek = await generateDataKey(tenantId);
    key = dek.plaintext;
    header = {
      ...meta,
      iv: iv.toString("base64"),
      key: { scheme: dek.scheme, wrapped: dek.wrapped.toString("base64") },
    };
  }
  try {
    const headerBytes = Buffer.from(JSON.stringify(header), "utf8");
    const prefix = Buffer.alloc(PREFIX_BYTES);
    MAGIC.copy(prefix, 0);
    prefix.writeUInt8(VERSION, 4);
    prefix.writeUInt8(password !== undefined ? MODE_PASSWORD : MODE_DATA_KEY, 5);
    prefix.writeUInt16BE(headerBytes.length, 6);
    const head = Buffer.concat([prefix, headerBytes]);
    const cipher = createCipheriv("aes-256-gcm", key, iv);
    cipher.setAAD(aad(tenantId, head));
    const ct = Buffer.concat([cipher.update(archive), cipher.final()]);
    return Buffer.concat([head, ct, cipher.getAuthTag()]);
  } finally {
    key.fill(0);
  }
}

/** Why a file could not be opened: always a 400 naming the `file` part (or `password`). */
export function unreadable(msg: string, field: "file" | "password" = "file"): Invalid {
  return new Invalid(`${field}: ${msg}`, [{ loc: ["body", field], msg, type: "value_error" }]);
}

const FAILED_AUTH =
  "the backup cannot be decrypted: wrong password, a backup of another organization, or a modified or truncated file";

function parseHeader(file: Buffer): { mode: number; head: Buffer; header: Header } {
  if (file.length < PREFIX_BYTES + TAG_BYTES) throw unreadable("truncated backup file");
  const version = file.readUInt8(4);
  if (version !== VERSION) throw unreadable(`unsupported backup format version ${version}`);
  const mode = file.readUInt8(5);
  const length = file.readUInt16BE(6);
  if (length > MAX_HEADER_BYTES || PREFIX_BYTES + length + TAG_BYTES > file.length) {
    throw unreadable("truncated backup file");
  }
  let header: Header;
  try {
    header = JSON.parse(file.subarray(PREFIX_BYTES, PREFIX_BYTES + length).toString("utf8")) as Header;
  } catch {
    throw unreadable("unreadable backup header");
  }
  if (typeof header !== "object" || header === null || typeof header.iv !== "string") {
    throw unreadable("unreadable backup header");
  }
  return { mode, head: file.subarray(0, PREFIX_BYTES + length), header };
}

/** The header's backup id, read before decryption (not yet authenticated: for messages only). */
export function peekBackupId(file: Buffer): string | undefined {
  try {
    const id = parseHeader(file).header.backup_id;
    return typeof id === "string" ? id : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Opens a sealed backup of `tenantId`. Every failure — a wrong or missing password, another
 * tenant's file, a changed byte, a cut-off end — is a 400 and yields nothing.
 */
export async function open(
  tenantId: string,
  file: Buffer,
  password: string | undefined,
): Promise<{ archive: Buffer; header: SealedHeader }> {
  const { mode, head, header } = parseHeader(file);
  const iv = Buffer.from(header.iv, "base64");
  if (iv.length !== IV_BYTES) throw unreadable("unreadable backup header");
  let key: Buffer;
  if (mode === MODE_PASSWORD) {
    const kdf = header.kdf;
    if (password === undefined) throw unreadable("this backup is protected by a password: send `password`", "password");
    if (
      kdf?.name !== "scrypt" ||
      !Number.isInteger(kdf.N) ||
      kdf.N < SCRYPT_LIMITS.minN ||
      kdf.N > SCRYPT_LIMITS.maxN ||
      (kdf.N & (kdf.N - 1)) !== 0 ||
      kdf.r !== SCRYPT_LIMITS.r ||
      !Number.isInteger(kdf.p) ||
      kdf.p < 1 ||
      kdf.p > SCRYPT_LIMITS.maxP
    ) {
      throw unreadable("unsupported key derivation parameters");
    }
    const salt = Buffer.from(kdf.salt ?? "", "base64");
    if (salt.length !== SALT_BYTES) throw unreadable("unreadable backup header");
    key = await deriveKey(password, salt, kdf);
  } else if (mode === MODE_DATA_KEY) {
    if (!header.key || typeof header.key.wrapped !== "string") throw unreadable("unreadable backup header");
    try {
      key = await unwrapDataKey(tenantId, header.key.scheme, Buffer.from(header.key.wrapped, "base64"));
    } catch {
      throw unreadable(FAILED_AUTH);
    }
  } else {
    throw unreadable(`unknown key mode ${mode}`);
  }
  try {
    const ct = file.subarray(head.length, file.length - TAG_BYTES);
    const decipher = createDecipheriv("aes-256-gcm", key, iv);
    decipher.setAAD(aad(tenantId, head));
    decipher.setAuthTag(file.subarray(file.length - TAG_BYTES));
    const archive = Buffer.concat([decipher.update(ct), decipher.final()]);
    return { archive, header: { backup_id: String(header.backup_id), created: String(header.created) } };
  } catch {
    throw unreadable(FAILED_AUTH);
  } finally {
    key.fill(0);
  }
}
