/**
 * Real X.509 material for the certificates tests, made with @peculiar/x509 on WebCrypto: a root
 * CA, an intermediate and leaves with chosen validity, key type and size, names and issuer — so
 * each bad case (expired, not yet valid, 1024-bit, broken chain, key mismatch) is a real certificate.
 */
import { createPrivateKey, webcrypto } from "node:crypto";
import { x509 } from "#shared/certificates/peculiar.ts";

const DAY = 86_400_000;

export interface Made {
  pem: string;
  keyPem: string;
  keys: webcrypto.CryptoKeyPair;
  name: string;
}

export interface LeafOptions {
  cn?: string;
  san?: string[];
  notBefore?: Date;
  notAfter?: Date;
  rsaBits?: number;
  ec?: boolean;
  issuer?: Made;
  ca?: boolean;
}

async function keyPair(o: LeafOptions) {
  const alg = o.ec
    ? { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" }
    : {
        name: "RSASSA-PKCS1-v1_5",
        hash: "SHA-256",
        publicExponent: new Uint8Array([1, 0, 1]),
        modulusLength: o.rsaBits ?? 2048,
      };
  return { alg, keys: (await webcrypto.subtle.generateKey(alg, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair };
}

async function pkcs8Pem(key: webcrypto.CryptoKey) {
  const der = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", key));
  return createPrivateKey({ key: der, format: "der", type: "pkcs8" })
    .export({ type: "pkcs8", format: "pem" })
    .toString();
}

let serial = 1;

export async function makeCertificate(o: LeafOptions = {}): Promise<Made> {
  const { alg, keys } = await keyPair(o);
  const name = `CN=${o.cn ?? "gateway.example.test"}`;
  const now = Date.now();
  const notBefore = o.notBefore ?? new Date(now - DAY);
  const notAfter = o.notAfter ?? new Date(now + 90 * DAY);
  const extensions: x509.Extension[] = [new x509.BasicConstraintsExtension(!!o.ca, undefined, true)];
  if (o.san?.length) {
    extensions.push(new x509.SubjectAlternativeNameExtension(o.san.map((value) => ({ type: "dns" as const, value }))));
  }
  const serialNumber = `0${(serial++).toString(16).padStart(7, "0")}${Date.now().toString(16)}`;
  const cert = o.issuer
    ? await x509.X509CertificateGenerator.create({
        serialNumber,
        subject: name,
        issuer: o.issuer.name,
        notBefore,
        notAfter,
        signingAlgorithm: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
        publicKey: keys.publicKey,
        signingKey: o.issuer.keys.privateKey,
        extensions,
      })
    : await x509.X509CertificateGenerator.createSelfSigned({
        serialNumber,
        name,
        notBefore,
        notAfter,
        signingAlgorithm: alg,
        keys,
        extensions,
      });
  return { pem: `${cert.toString("pem")}\n`, keyPem: await pkcs8Pem(keys.privateKey), keys, name };
}

/** root → intermediate → leaf (RSA issuers). */
export async function makeChain(leaf: LeafOptions = {}) {
  const root = await makeCertificate({ cn: "Test Root CA", ca: true });
  const intermediate = await makeCertificate({ cn: "Test Intermediate CA", ca: true, issuer: root });
  const cert = await makeCertificate({ san: ["gateway.example.test"], ...leaf, issuer: intermediate });
  return { root, intermediate, leaf: cert };
}

/** A multipart/form-data body: text fields and PEM files. */
export function multipartBody(fields: Record<string, string>, files: Record<string, string>) {
  const boundary = `----warden${Math.random().toString(16).slice(2)}`;
  const parts: string[] = [];
  for (const [k, v] of Object.entries(fields)) {
    parts.push(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
  }
  for (const [k, v] of Object.entries(files)) {
    parts.push(
      `--${boundary}\r\nContent-Disposition: form-data; name="${k}"; filename="${k}.pem"\r\nContent-Type: application/x-pem-file\r\n\r\n${v}\r\n`,
    );
  }
  parts.push(`--${boundary}--\r\n`);
  return { body: Buffer.from(parts.join("")), contentType: `multipart/form-data; boundary=${boundary}` };
}
