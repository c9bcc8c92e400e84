/**
 * Reading and checking X.509 material: what a certificate says (node:crypto `X509Certificate`, and
 * the signature algorithm read from the DER, which Node does not expose), and every check the
 * upload and validate routes run — each named, so a refusal says which one failed.
 */
import { createHash, createPrivateKey, type KeyObject, X509Certificate } from "node:crypto";
import { Invalid } from "#shared/kit/errors.ts";

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([A-Za-z0-9+/=\r\n]+?)-----END \1-----/g;

/** The PEM certificate blocks of a text, in order; anything but certificate blocks is an error. */
export function pemCertificates(text: string, field: string): string[] {
  const blocks = [...text.matchAll(PEM_BLOCK)];
  if (blocks.length === 0) throw new Invalid(`${field}: certificate_valid: no PEM certificate found`);
  const out: string[] = [];
  for (const b of blocks) {
    if (b[1] !== "CERTIFICATE") throw new Invalid(`${field}: certificate_valid: unexpected PEM block '${b[1]}'`);
    out.push(`${b[0].replace(/\r\n/g, "\n")}\n`);
  }
  const rest = text.replace(PEM_BLOCK, "").trim();
  if (rest.length > 0) throw new Invalid(`${field}: certificate_valid: text outside the PEM blocks`);
  return out;
}

export function parseCertificate(pem: string, field: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch {
    throw new Invalid(`${field}: certificate_valid: not a parseable X.509 certificate`);
  }
}

export function parsePrivateKey(pem: string, field: string, passphrase?: string): KeyObject {
  try {
    return createPrivateKey(passphrase ? { key: pem, passphrase } : pem);
  } catch {
    throw new Invalid(`${field}: not a parseable (unencrypted, or with the right password) PEM private key`);
  }
}

/** "CN=a, O=b" from Node's one-attribute-per-line form. */
export const distinguishedName = (lines: string): string =>
  lines
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)
    .join(", ");

/** Signature algorithm OIDs (DER content, hex) → name, and the hash OIDs RSASSA-PSS names in its parameters. */
const SIGNATURE_OIDS: Record<string, string> = {
  "2a864886f70d010105": "RSA-SHA1",
  "2a864886f70d01010b": "RSA-SHA256",
  "2a864886f70d01010c": "RSA-SHA384",
  "2a864886f70d01010d": "RSA-SHA512",
  "2a8648ce3d0401": "ECDSA-SHA1",
  "2a8648ce3d040302": "ECDSA-SHA256",
  "2a8648ce3d040303": "ECDSA-SHA384",
  "2a8648ce3d040304": "ECDSA-SHA512",
};
const RSA_PSS = "2a864886f70d01010a";
const HASH_OIDS: Record<string, string> = {
  "2b0e03021a": "SHA1",
  "608648016503040201": "SHA256",
  "608648016503040202": "SHA384",
  "608648016503040203": "SHA512",
};

/** One DER TLV at `offset`: its tag and where its content starts and ends. */
function tlv(der: Buffer, offset: number): { tag: number; start: number; end: number } {
  const tag = der[offset] ?? -1;
  let length = der[offset + 1] ?? 0;
  let start = offset + 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    length = 0;
    for (let i = 0; i < bytes; i++) length = length * 256 + (der[start++] ?? 0);
  }
  const end = start + length;
  if (tag < 0 || end > der.length) throw new Error("truncated DER");
  return { tag, start, end };
}

/**
 * `RSA-SHA256`, `ECDSA-SHA384`, `RSA-PSS-SHA256`…: read from the certificate's own
 * signatureAlgorithm (Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signature }),
 * without an X.509 library; `unknown` for anything else.
 */
export function signatureAlgorithm(cert: X509Certificate): string {
  try {
    const der = cert.raw;
    const outer = tlv(der, 0);
    const tbs = tlv(der, outer.start);
    const algorithm = tlv(der, tbs.end);
    const oid = tlv(der, algorithm.start);
    const id = der.subarray(oid.start, oid.end).toString("hex");
    if (id !== RSA_PSS) return SIGNATURE_OIDS[id] ?? "unknown";
    // RSASSA-PSS-params ::= SEQUENCE { hashAlgorithm [0] AlgorithmIdentifier DEFAULT sha1, … }
    if (oid.end >= algorithm.end) return "RSA-PSS-SHA1";
    const params = tlv(der, oid.end);
    if (params.start >= params.end) return "RSA-PSS-SHA1";
    const first = tlv(der, params.start);
    if (first.tag !== 0xa0) return "RSA-PSS-SHA1";
    const hashAlgorithm = tlv(der, first.start);
    const hashOid = tlv(der, hashAlgorithm.start);
    const hash = HASH_OIDS[der.subarray(hashOid.start, hashOid.end).toString("hex")];
    return hash ? `RSA-PSS-${hash}` : "unknown";
  } catch {
    return "unknown";
  }
}

export function keySize(key: KeyObject): number {
  const d = key.asymmetricKeyDetails;
  if (d?.modulusLength) return d.modulusLength;
  const curve = d?.namedCurve ?? "";
  return (
    ({ prime256v1: 256, "P-256": 256, secp384r1: 384, "P-384": 384, secp521r1: 521, "P-521": 521 } as const)[
      curve as "prime256v1"
    ] ?? 0
  );
}

export type KeyStrength = "weak" | "adequate" | "strong";

/** RSA < 2048 or EC < 256 is weak; RSA ≥ 3072 or EC ≥ 384 strong. */
export function keyStrength(key: KeyObject): KeyStrength {
  const size = keySize(key);
  if (key.asymmetricKeyType === "rsa" || key.asymmetricKeyType === "rsa-pss") {
    return size < 2048 ? "weak" : size >= 3072 ? "strong" : "adequate";
  }
  if (key.asymmetricKeyType === "ec") return size < 256 ? "weak" : size >= 384 ? "strong" : "adequate";
  if (key.asymmetricKeyType === "ed25519" || key.asymmetricKeyType === "ed448") return "strong";
  return "weak";
}

/** DNS names and IP addresses of the subjectAltName extension. */
export function subjectAltNames(cert: X509Certificate): string[] {
  const raw = cert.subjectAltName;
  if (!raw) return [];
  return raw
    .split(/,\s*/)
    .map((entry) => {
      const m = /^(DNS|IP Address):(.+)$/.exec(entry.trim());
      return m?.[2]?.trim();
    })
    .filter((v): v is string => !!v);
}

/** SHA-256 of the DER, lowercase hex (the shadow contract's form). */
export const fingerprintHex = (cert: X509Certificate): string => createHash("sha256").update(cert.raw).digest("hex");

/** `SHA256:<base64>` as the spec shows fingerprints to people. */
export const fingerprintDisplay = (cert: X509Certificate): string =>
  `SHA256:${createHash("sha256").update(cert.raw).digest("base64").replace(/=+$/, "")}`;

export interface CertificateInfo {
  subject: string;
  issuer: string;
  validFrom: string;
  validTo: string;
  algorithm: string;
  keySize: number;
  san: string[];
  serialNumber: string;
  fingerprint: string;
  selfSigned: boolean;
}

export function certificateInfo(cert: X509Certificate): CertificateInfo {
  return {
    subject: distinguishedName(cert.subject),
    issuer: distinguishedName(cert.issuer),
    validFrom: new Date(cert.validFrom).toISOString(),
    validTo: new Date(cert.validTo).toISOString(),
    algorithm: signatureAlgorithm(cert),
    keySize: keySize(cert.publicKey),
    san: subjectAltNames(cert),
    serialNumber: cert.serialNumber.toUpperCase(),
    fingerprint: fingerprintHex(cert),
    selfSigned: cert.checkIssued(cert) && safeVerify(cert, cert.publicKey),
  };
}

function safeVerify(cert: X509Certificate, key: KeyObject): boolean {
  try {
    return cert.verify(key);
  } catch {
    return false;
  }
}

export interface Checks {
  signatureValid: boolean;
  notExpired: boolean;
  notBeforeValid: boolean;
  keyMatch: boolean | null;
  chainValid: boolean;
  keyStrength: KeyStrength;
  subjectValid: boolean;
  sanPresent: boolean;
}

/**
 * Every check of a certificate with its (optional) key and chain. The chain is checked link by
 * link: each certificate issued and signed by the next; the last one signed by itself or by a
 * certificate outside the chain (a root the client trusts), so an empty chain is valid only for a
 * self-signed certificate or when the leaf's issuer is not in question (no chain given).
 */
export function runChecks(
  leaf: X509Certificate,
  key: KeyObject | undefined,
  chain: X509Certificate[],
  now: Date,
): Checks {
  const links = [leaf, ...chain];
  let chainValid = true;
  for (let i = 0; i < links.length - 1; i++) {
    const child = links[i] as X509Certificate;
    const parent = links[i + 1] as X509Certificate;
    if (!child.checkIssued(parent) || !safeVerify(child, parent.publicKey)) chainValid = false;
  }
  const issuer = chain[0];
  const selfSigned = leaf.checkIssued(leaf) && safeVerify(leaf, leaf.publicKey);
  const signatureValid = issuer ? safeVerify(leaf, issuer.publicKey) : selfSigned || chain.length === 0;
  let keyMatch: boolean | null = null;
  if (key) {
    try {
      keyMatch = leaf.checkPrivateKey(key);
    } catch {
      keyMatch = false;
    }
  }
  return {
    signatureValid,
    notExpired: now.getTime() <= Date.parse(leaf.validTo),
    notBeforeValid: now.getTime() >= Date.parse(leaf.validFrom),
    keyMatch,
    chainValid,
    keyStrength: keyStrength(leaf.publicKey),
    subjectValid: /CN=\S/.test(leaf.subject) || subjectAltNames(leaf).length > 0,
    sanPresent: subjectAltNames(leaf).length > 0,
  };
}

/** The spec's wording for people, derived from the checks and the certificate. */
export function recommendations(info: CertificateInfo, checks: Checks, now: Date): string[] {
  const out: string[] = [];
  const days = Math.floor((Date.parse(info.validTo) - now.getTime()) / 86_400_000);
  if (!checks.notExpired) out.push(`Certificate expired ${-days} days ago: renew it`);
  else out.push(`Certificate expires in ${days} days`);
  if (!checks.notBeforeValid)
    out.push("Certificate is not valid yet: check the gateway's clock and the notBefore date");
  if (checks.keyStrength === "weak") out.push("Key is weak: use RSA 2048 bits or more, or EC P-256 or stronger");
  if (!checks.sanPresent) out.push("Add a subjectAltName: clients ignore the CN for host name checks");
  if (/SHA1$/.test(info.algorithm)) out.push("Certificate is signed with SHA-1: reissue it with SHA-256");
  if (checks.keyMatch === false) out.push("Private key does not belong to this certificate");
  if (!checks.chainValid) out.push("Chain is broken: each certificate must be issued and signed by the next");
  return out;
}

/** The days left (negative when expired), as the status route counts them. */
export const daysRemaining = (validTo: string, now: Date): number =>
  Math.floor((Date.parse(validTo) - now.getTime()) / 86_400_000);
