/**
 * The `certificates` applier: the gateway side of certificate renewal and installation.
 *
 * - `makeCsr`: a fresh key made by the real `openssl` for an ACME CSR request; the key stays in the
 *   edge's key directory (0600), only the CSR leaves the gateway.
 * - `syncChallenges`: HTTP-01 files under `<webroot>/.well-known/acme-challenge/`, written atomically;
 *   files of tokens no longer listed are removed.
 * - `installCertificate`: leaf + chain and its key staged next to the live files, the fingerprint
 *   checked against the one the cloud sent, the key match checked with `openssl` (public key of the
 *   certificate = public key of the private key) BEFORE the swap; then both renamed into place, the
 *   slot's service reloaded, and on a reload failure the previous pair restored.
 * - `openKeyDelivery`: opens a private key the cloud sealed to this gateway's one-time X25519 key.
 */
import {
  createDecipheriv,
  createHash,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  type KeyObject,
  X509Certificate,
} from "node:crypto";
import { mkdir, readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import {
  type AcmeChallenge,
  type CertificateSlot,
  type CsrRequest,
  KEY_DELIVERY,
  type KeyDeliveryMessage,
  keyDeliveryAad,
  type SlotDesired,
} from "./contract.ts";
import { stageArtefacts, writeFileAtomic } from "./files.ts";
import { run } from "./tools.ts";

export interface SlotFiles {
  /** Leaf certificate followed by its chain (PEM). */
  certPath: string;
  keyPath: string;
  /** argv run after the swap; null: nothing to reload (sandbox mode). */
  reload: string[] | null;
  /** What `reload` restarts, as reported in `services_reloaded`. */
  services: string[];
}

export interface CertificateEnv {
  openssl: string;
  slots: Record<CertificateSlot, SlotFiles>;
  /** Keys made for CSRs and keys received by delivery, 0700. */
  keysDir: string;
}

export type InstallOutcome =
  | { ok: true; fingerprint: string; servicesReloaded: string[] }
  | { ok: false; error: string };

/** SHA-256 of the first certificate's DER, lowercase hex. */
export function leafFingerprint(pem: string): string {
  return createHash("sha256").update(new X509Certificate(pem).raw).digest("hex");
}

/** SHA-256 of a key's public half (SPKI DER), lowercase hex: what `key_fingerprint` names. */
export function publicKeyFingerprint(keyPem: string): string {
  const spki = createPublicKey(createPrivateKey(keyPem)).export({ type: "spki", format: "der" });
  return createHash("sha256").update(spki).digest("hex");
}

export const csrKeyPath = (env: CertificateEnv, requestId: string) => join(env.keysDir, `csr-${requestId}.key`);
export const deliveredKeyPath = (env: CertificateEnv, deliveryId: string) =>
  join(env.keysDir, `delivery-${deliveryId}.key`);

/** Makes the key (kept under keysDir) and the CSR (returned as PEM) with openssl. */
export async function makeCsr(request: CsrRequest, env: CertificateEnv): Promise<string> {
  await mkdir(env.keysDir, { recursive: true, mode: 0o700 });
  const keyPath = csrKeyPath(env, request.request_id);
  const keyArgs =
    request.key_algorithm === "EC"
      ? ["-algorithm", "EC", "-pkeyopt", `ec_paramgen_curve:${request.key_size === 384 ? "P-384" : "P-256"}`]
      : ["-algorithm", "RSA", "-pkeyopt", `rsa_keygen_bits:${request.key_size}`];
  const key = await run(env.openssl, ["genpkey", ...keyArgs]);
  if (key.code !== 0) throw new Error(`openssl genpkey failed: ${key.spawnError ?? key.stderr.trim()}`);
  await writeFileAtomic(keyPath, key.stdout, 0o600);
  const san = request.san_dns.map((name) => `DNS:${name}`).join(",");
  const csr = await run(env.openssl, [
    "req",
    "-new",
    "-key",
    keyPath,
    "-subj",
    `/CN=${request.common_name}`,
    "-addext",
    `subjectAltName=${san}`,
  ]);
  if (csr.code !== 0) throw new Error(`openssl req failed: ${csr.spawnError ?? csr.stderr.trim()}`);
  return csr.stdout;
}

export function challengeDir(webroot: string): string {
  return join(webroot, ".well-known", "acme-challenge");
}

/** Writes the listed challenges and removes the files of tokens no longer listed. */
export async function syncChallenges(webroot: string, challenges: readonly AcmeChallenge[]): Promise<void> {
  const dir = challengeDir(webroot);
  await mkdir(dir, { recursive: true, mode: 0o755 });
  const wanted = new Map(challenges.map((c) => [c.token, c.key_authorization]));
  for (const [token, body] of wanted) await writeFileAtomic(join(dir, token), body, 0o644);
  for (const name of await readdir(dir)) {
    if (!name.startsWith(".") && !wanted.has(name)) await rm(join(dir, name), { force: true });
  }
}

/** The public key (PEM) openssl reads from a certificate or a private key file, or its error. */
async function opensslPublicKey(
  openssl: string,
  args: string[],
): Promise<{ ok: true; pem: string } | { ok: false; error: string }> {
  const result = await run(openssl, args);
  if (result.code !== 0) return { ok: false, error: (result.spawnError ?? result.stderr).trim().slice(0, 300) };
  return { ok: true, pem: result.stdout.trim() };
}

/**
 * Installs `desired` (which carries its certificate) with the key in `keyPem`. Nothing live changes
 * unless the fingerprint is the expected one and openssl agrees that certificate and key match.
 */
export async function installCertificate(
  slot: CertificateSlot,
  desired: SlotDesired,
  keyPem: string,
  env: CertificateEnv,
): Promise<InstallOutcome> {
  if (!desired.certificate) return { ok: false, error: "the shadow carries no certificate to install" };
  const fingerprint = leafFingerprint(desired.certificate);
  if (fingerprint !== desired.fingerprint) {
    return {
      ok: false,
      error: `the certificate's fingerprint ${fingerprint} is not the expected ${desired.fingerprint}`,
    };
  }
  const files = env.slots[slot];
  const certPem = `${desired.certificate.trimEnd()}\n${desired.chain ? `${desired.chain.trimEnd()}\n` : ""}`;
  const staged = await stageArtefacts([
    { path: files.certPath, content: certPem, mode: 0o644 },
    { path: files.keyPath, content: keyPem, mode: 0o600 },
  ]);
  const fromCert = await opensslPublicKey(env.openssl, [
    "x509",
    "-in",
    staged.stagedPath(files.certPath),
    "-noout",
    "-pubkey",
  ]);
  const fromKey = await opensslPublicKey(env.openssl, ["pkey", "-in", staged.stagedPath(files.keyPath), "-pubout"]);
  if (!fromCert.ok || !fromKey.ok || fromCert.pem !== fromKey.pem) {
    await staged.discard();
    const why = !fromCert.ok
      ? `openssl cannot read the certificate: ${fromCert.error}`
      : !fromKey.ok
        ? `openssl cannot read the key: ${fromKey.error}`
        : "the certificate does not match the key (openssl)";
    return { ok: false, error: why };
  }
  await staged.commit();
  const [file, ...args] = files.reload ?? [];
  if (!file) return { ok: true, fingerprint, servicesReloaded: [] };
  const result = await run(file, args);
  if (result.code === 0) return { ok: true, fingerprint, servicesReloaded: files.services };
  await staged.rollback();
  await run(file, args);
  const detail = result.spawnError ?? (`${result.stderr}${result.stdout}`.trim() || `exit code ${result.code}`);
  return {
    ok: false,
    error: `${files.reload?.join(" ")} failed, previous certificate restored: ${detail.slice(0, 400)}`,
  };
}

/** What a slot serves now: the leaf and chain PEM of its certificate file, if any. */
export async function readServed(
  files: SlotFiles,
): Promise<{ certificate: string; chain?: string; fingerprint: string } | undefined> {
  let text: string;
  try {
    text = await readFile(files.certPath, "utf8");
  } catch {
    return undefined;
  }
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\r?\n?/g) ?? [];
  const [leaf, ...chain] = blocks.map((b) => (b.endsWith("\n") ? b : `${b}\n`));
  if (!leaf) return undefined;
  return { certificate: leaf, ...(chain.length > 0 && { chain: chain.join("") }), fingerprint: leafFingerprint(leaf) };
}

/** A one-time X25519 key pair for a key request; the public half as the contract's base64url. */
export function oneTimeKeyPair(): { privateKey: KeyObject; publicKey: string } {
  const pair = generateKeyPairSync("x25519");
  return { privateKey: pair.privateKey, publicKey: pair.publicKey.export({ format: "jwk" }).x ?? "" };
}

/** Opens a sealed delivery (see KEY_DELIVERY in the contract); throws when it was not sealed to us. */
export function openKeyDelivery(
  message: Extract<KeyDeliveryMessage, { status: "sealed" }>,
  privateKey: KeyObject,
  ids: { tenant: string; thing: string },
): string {
  const peer = createPublicKey({ key: { kty: "OKP", crv: "X25519", x: message.ephemeral_public_key }, format: "jwk" });
  const shared = diffieHellman({ privateKey, publicKey: peer });
  const key = Buffer.from(hkdfSync("sha256", shared, Buffer.from(message.delivery_id), KEY_DELIVERY.hkdfInfo, 32));
  try {
    const decipher = createDecipheriv(KEY_DELIVERY.cipher, key, Buffer.from(message.iv, "base64url"));
    decipher.setAAD(Buffer.from(keyDeliveryAad(ids.tenant, ids.thing, message.delivery_id)));
    decipher.setAuthTag(Buffer.from(message.tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(message.ciphertext, "base64url")), decipher.final()]).toString(
      "utf8",
    );
  } finally {
    key.fill(0);
    shared.fill(0);
  }
}

/** A slot without a certificate gets a self-signed EC P-256 one for `name` (90 days), made by openssl. */
export async function ensureSelfSigned(files: SlotFiles, name: string, openssl: string): Promise<boolean> {
  if (await readServed(files)) return false;
  const key = await run(openssl, ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"]);
  if (key.code !== 0) throw new Error(`openssl genpkey failed: ${key.spawnError ?? key.stderr.trim()}`);
  await writeFileAtomic(files.keyPath, key.stdout, 0o600);
  const cert = await run(openssl, [
    "req",
    "-new",
    "-x509",
    "-key",
    files.keyPath,
    "-subj",
    `/CN=${name}`,
    "-addext",
    `subjectAltName=DNS:${name}`,
    "-days",
    "90",
  ]);
  if (cert.code !== 0) throw new Error(`openssl req -x509 failed: ${cert.spawnError ?? cert.stderr.trim()}`);
  await writeFileAtomic(files.certPath, cert.stdout, 0o644);
  return true;
}
