/**
 * Self-signed certificates: a fresh RSA (2048–4096) or EC (P-256/P-384) key pair, an X.509 v3
 * certificate with the subject fields and subjectAltNames (DNS and IP) asked for, and a CSR for
 * the same key (to have it signed by a CA later). The private key is PKCS#8, encrypted with the
 * password when one is given (AES-256-CBC, scrypt-free PBES2 as OpenSSL writes it).
 */
import { createPrivateKey, randomBytes, webcrypto } from "node:crypto";
import { isIP } from "node:net";
import { x509 as px509 } from "./peculiar.ts";

export interface SelfSignedRequest {
  commonName: string;
  organization?: string;
  organizationalUnit?: string;
  country?: string;
  state?: string;
  locality?: string;
  validDays: number;
  algorithm: "RSA" | "EC";
  keySize: number;
  san: string[];
  password?: string;
}

export interface SelfSigned {
  certificatePem: string;
  privateKeyPem: string;
  csrPem: string;
}

const escapeRdn = (v: string) => v.replace(/([,+"\\<>;=])/g, "\\$1");

/** The subject in the spec's order: CN, O, OU, C, ST, L. */
export function subjectName(r: SelfSignedRequest): string {
  const parts: [string, string | undefined][] = [
    ["CN", r.commonName],
    ["O", r.organization],
    ["OU", r.organizationalUnit],
    ["C", r.country],
    ["ST", r.state],
    ["L", r.locality],
  ];
  return parts
    .filter((p): p is [string, string] => !!p[1])
    .map(([k, v]) => `${k}=${escapeRdn(v)}`)
    .join(", ");
}

export async function generateSelfSigned(r: SelfSignedRequest, now = new Date()): Promise<SelfSigned> {
  const alg =
    r.algorithm === "RSA"
      ? {
          name: "RSASSA-PKCS1-v1_5",
          hash: "SHA-256",
          publicExponent: new Uint8Array([1, 0, 1]),
          modulusLength: r.keySize,
        }
      : {
          name: "ECDSA",
          namedCurve: r.keySize === 384 ? "P-384" : "P-256",
          hash: r.keySize === 384 ? "SHA-384" : "SHA-256",
        };
  const keys = (await webcrypto.subtle.generateKey(alg, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
  const name = subjectName(r);
  const sanNames = r.san.map((v) => ({ type: isIP(v) ? ("ip" as const) : ("dns" as const), value: v }));
  const extensions = [
    new px509.BasicConstraintsExtension(false, undefined, true),
    new px509.KeyUsagesExtension(px509.KeyUsageFlags.digitalSignature | px509.KeyUsageFlags.keyEncipherment, true),
    new px509.ExtendedKeyUsageExtension([px509.ExtendedKeyUsage.serverAuth, px509.ExtendedKeyUsage.clientAuth]),
    ...(sanNames.length > 0 ? [new px509.SubjectAlternativeNameExtension(sanNames)] : []),
  ];
  const notBefore = new Date(Math.floor(now.getTime() / 1000) * 1000);
  const notAfter = new Date(notBefore.getTime() + r.validDays * 86_400_000);
  const cert = await px509.X509CertificateGenerator.createSelfSigned({
    // A positive 128-bit serial (RFC 5280 allows up to 20 octets).
    serialNumber: `7${randomBytes(15).toString("hex")}`,
    name,
    notBefore,
    notAfter,
    signingAlgorithm: alg,
    keys,
    extensions: [...extensions, await px509.SubjectKeyIdentifierExtension.create(keys.publicKey)],
  });
  const csr = await px509.Pkcs10CertificateRequestGenerator.create({
    name,
    keys,
    signingAlgorithm: alg,
    extensions: sanNames.length > 0 ? [new px509.SubjectAlternativeNameExtension(sanNames)] : [],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", keys.privateKey));
  const key = createPrivateKey({ key: pkcs8, format: "der", type: "pkcs8" });
  const privateKeyPem = (
    r.password
      ? key.export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: r.password })
      : key.export({ type: "pkcs8", format: "pem" })
  ).toString();
  return { certificatePem: `${cert.toString("pem")}\n`, privateKeyPem, csrPem: `${csr.toString("pem")}\n` };
}
