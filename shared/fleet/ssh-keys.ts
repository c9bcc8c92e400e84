/**
 * OpenSSH public keys, read the way `ssh-keygen -lf` reads them: the key blob is decoded (RFC 4253
 * wire format) to find the real algorithm and size, and the fingerprint is `SHA256:` plus the
 * unpadded base64 of the SHA-256 of the blob. Nothing here trusts the type word or the file name.
 *
 * Accepted: one key per upload, as an OpenSSH line (`ssh-ed25519 AAAA… comment`) or an RFC 4716
 * block (`---- BEGIN SSH2 PUBLIC KEY ----`). Refused: authorized_keys options in front of the key
 * (they would smuggle `command=` or `from=` into the device's authorized_keys), certificates,
 * DSA, and RSA below 2048 bits.
 */
import { createHash } from "node:crypto";
import { Invalid } from "#shared/kit/errors.ts";

export type SshKeyType = "RSA" | "ECDSA" | "ED25519" | "ECDSA-SK" | "ED25519-SK" | "DSA";

export interface SshPublicKey {
  /** The algorithm name on the wire, e.g. `ssh-ed25519`. */
  algorithm: string;
  /** The blob, base64 as it appears in an authorized_keys line. */
  blob: string;
  type: SshKeyType;
  size: number;
  fingerprint: string;
  /** The comment of the key file, if any. */
  comment: string;
}

export const MIN_RSA_BITS = 2048;
/** OpenSSH refuses RSA keys above this size (SSH_RSA_MAXIMUM_MODULUS_SIZE). */
export const MAX_RSA_BITS = 16384;

const CURVE_BITS: Record<string, number> = { nistp256: 256, nistp384: 384, nistp521: 521 };
/** Uncompressed EC points: 0x04 ‖ X ‖ Y. */
const CURVE_POINT_BYTES: Record<string, number> = { nistp256: 65, nistp384: 97, nistp521: 133 };

class BlobReader {
  private offset = 0;
  constructor(private readonly buf: Buffer) {}

  string(): Buffer {
    if (this.offset + 4 > this.buf.length) throw new KeyFormatError("the key data is truncated");
    const len = this.buf.readUInt32BE(this.offset);
    this.offset += 4;
    if (len > this.buf.length - this.offset) throw new KeyFormatError("the key data is truncated");
    const out = this.buf.subarray(this.offset, this.offset + len);
    this.offset += len;
    return out;
  }

  text(): string {
    return this.string().toString("latin1");
  }

  done(): boolean {
    return this.offset === this.buf.length;
  }
}

class KeyFormatError extends Error {}

/** Bits of an unsigned big-endian integer (an mpint without its sign byte). */
function bitLength(mpint: Buffer): number {
  let i = 0;
  while (i < mpint.length && mpint[i] === 0) i++;
  if (i === mpint.length) return 0;
  const first = mpint[i] ?? 0;
  return (mpint.length - i - 1) * 8 + (32 - Math.clz32(first));
}

/** Fingerprint exactly as `ssh-keygen -lf` prints it (default SHA-256). */
export function fingerprintOf(blob: Buffer): string {
  return `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
}

function describeBlob(blob: Buffer, declared: string): { type: SshKeyType; size: number } {
  const r = new BlobReader(blob);
  const algorithm = r.text();
  if (algorithm !== declared) throw new KeyFormatError(`the key says '${declared}' but its data is '${algorithm}'`);
  if (algorithm.includes("-cert-v01@openssh.com"))
    throw new KeyFormatError("certificates are not accepted; upload the public key");
  let out: { type: SshKeyType; size: number };
  switch (algorithm) {
    case "ssh-rsa": {
      r.string(); // public exponent
      out = { type: "RSA", size: bitLength(r.string()) };
      break;
    }
    case "ssh-dss": {
      out = { type: "DSA", size: bitLength(r.string()) };
      r.string(); // q
      r.string(); // g
      r.string(); // y
      break;
    }
    case "ssh-ed25519": {
      if (r.string().length !== 32) throw new KeyFormatError("an Ed25519 key is 32 bytes");
      out = { type: "ED25519", size: 256 };
      break;
    }
    case "sk-ssh-ed25519@openssh.com": {
      if (r.string().length !== 32) throw new KeyFormatError("an Ed25519 key is 32 bytes");
      r.string(); // application
      out = { type: "ED25519-SK", size: 256 };
      break;
    }
    default: {
      const ec = /^(sk-)?ecdsa-sha2-(nistp256|nistp384|nistp521)(@openssh\.com)?$/.exec(algorithm);
      if (!ec?.[2] || Boolean(ec[1]) !== Boolean(ec[3]))
        throw new KeyFormatError(`unsupported key type '${algorithm}'`);
      const curve = ec[2];
      if (r.text() !== curve) throw new KeyFormatError("the ECDSA curve does not match the key type");
      if (r.string().length !== CURVE_POINT_BYTES[curve])
        throw new KeyFormatError("the ECDSA point has the wrong length");
      if (ec[1]) r.string(); // application
      out = { type: ec[1] ? "ECDSA-SK" : "ECDSA", size: CURVE_BITS[curve] ?? 0 };
    }
  }
  if (!r.done()) throw new KeyFormatError("the key data has trailing bytes");
  return out;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Splits the upload into algorithm, base64 blob and comment, in either accepted format. */
function splitKeyText(text: string): { algorithm?: string; blob: string; comment: string } {
  const trimmed = text.replace(/^\uFEFF/, "").trim();
  if (trimmed.startsWith("---- BEGIN SSH2 PUBLIC KEY ----")) {
    const lines = trimmed.split(/\r?\n/);
    if (lines.at(-1)?.trim() !== "---- END SSH2 PUBLIC KEY ----")
      throw new KeyFormatError("the RFC 4716 block is not terminated");
    const body: string[] = [];
    let comment = "";
    let continued = false;
    for (const line of lines.slice(1, -1)) {
      const header = /^([\x21-\x39\x3b-\x7e]{1,64}):\s?(.*)$/.exec(line);
      if (continued || header) {
        const value: string = continued ? line : (header?.[2] ?? "");
        continued = value.endsWith("\\");
        if (!continued && header?.[1]?.toLowerCase() === "comment") comment = value.replace(/^"|"$/g, "");
        continue;
      }
      body.push(line.trim());
    }
    return { blob: body.join(""), comment };
  }
  const lines = trimmed.split(/\r?\n/).filter((l) => l.trim() && !l.trimStart().startsWith("#"));
  if (lines.length !== 1)
    throw new KeyFormatError(lines.length === 0 ? "the file holds no key" : "upload one key per file");
  const [algorithm = "", blob = "", ...comment] = (lines[0] ?? "").trim().split(/\s+/);
  if (!/^(ssh-|ecdsa-|sk-)/.test(algorithm)) {
    throw new KeyFormatError("the file must start with the key type (authorized_keys options are not accepted)");
  }
  return { algorithm, blob, comment: comment.join(" ") };
}

/**
 * Parses and checks one uploaded public key. Problems are a 400 naming `field` (the multipart part
 * that carried the key), including the size policy: RSA below 2048 bits and DSA are refused.
 */
export function parsePublicKey(text: string, field = "file"): SshPublicKey {
  const fail = (msg: string) => new Invalid(`${field}: ${msg}`, [{ loc: ["body", field], msg, type: "value_error" }]);
  let parsed: SshPublicKey;
  try {
    const { algorithm: declared, blob, comment } = splitKeyText(text);
    if (!BASE64.test(blob) || blob.length % 4 !== 0) throw new KeyFormatError("the key data is not valid base64");
    const bytes = Buffer.from(blob, "base64");
    const algorithm = declared ?? new BlobReader(bytes).text();
    const { type, size } = describeBlob(bytes, algorithm);
    parsed = { algorithm, blob: bytes.toString("base64"), type, size, fingerprint: fingerprintOf(bytes), comment };
  } catch (e) {
    if (e instanceof KeyFormatError) throw fail(`not an OpenSSH public key: ${e.message}`);
    throw e;
  }
  if (parsed.type === "DSA") throw fail("DSA keys are refused (OpenSSH disabled them; use Ed25519 or RSA ≥ 2048 bits)");
  if (parsed.type === "RSA" && parsed.size < MIN_RSA_BITS) {
    throw fail(`RSA keys must have at least ${MIN_RSA_BITS} bits; this key has ${parsed.size}`);
  }
  if (parsed.type === "RSA" && parsed.size > MAX_RSA_BITS) {
    throw fail(`RSA keys may have at most ${MAX_RSA_BITS} bits; this key has ${parsed.size}`);
  }
  return parsed;
}

/** A comment that is safe on one authorized_keys line. */
export function cleanComment(comment: string): string {
  return comment
    .replace(/[^\x20-\x7e]/g, "")
    .trim()
    .slice(0, 256);
}
