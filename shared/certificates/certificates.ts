/**
 * The certificates of a gateway: what it serves (status, from what the gateway reports), checking
 * a certificate (validate), installing an uploaded one, and generating self-signed material with
 * one-time download links.
 *
 * How an uploaded certificate reaches the gateway: certificate, chain and fingerprint through the
 * `certificates` shadow (shared/fleet/certificates-shadow.ts); the private key, sealed at rest
 * (envelope encryption), waits as a one-time delivery that only that gateway may fetch over its own
 * keys topic; the shadow carries only the delivery id and the key's fingerprint.
 */
import { createHash, createPublicKey, type KeyObject, randomBytes, type X509Certificate } from "node:crypto";
import { decryptSecret, encryptSecret } from "#shared/crypto/envelope.ts";
import {
  certificateGateway,
  changeGatewayCertificatesRetrying,
  gatewayCertificatesDoc,
} from "#shared/fleet/certificates-shadow.ts";
import { Invalid, NotFound } from "#shared/kit/errors.ts";
import { getInventory, type InventoryItem, peekOneTime, putOneTime, takeOneTime } from "./db/certificates.ts";
import { type CertificateSettingsItem, certificateSettings, nextRenewalCheck } from "./settings.ts";
import {
  type CertificateInfo,
  type Checks,
  certificateInfo,
  daysRemaining,
  parseCertificate,
  parsePrivateKey,
  pemCertificates,
  recommendations,
  runChecks,
} from "./x509.ts";

export type { CertificateInfo, Checks } from "./x509.ts";
export { certificateGateway };

export type CertificateType = "https" | "mqtt";
export type CertificateState = "valid" | "expiring" | "expired" | "missing";

// ── status ────────────────────────────────────────────────────────────────────────────────────

export interface SlotStatus {
  present: boolean;
  /** letsencrypt, acme, self_signed, uploaded, ca_signed (null when missing). */
  type: string | null;
  info: CertificateInfo | null;
  daysRemaining: number | null;
  status: CertificateState;
}

export interface CertificatesStatus {
  gatewayId: number;
  https: SlotStatus;
  mqtt: SlotStatus;
  clients: { name: string; info: CertificateInfo; daysRemaining: number; status: CertificateState }[];
  settings: CertificateSettingsItem;
  nextRenewalCheck: string;
  reportedAt: string | null;
}

function stateOf(info: CertificateInfo, windowDays: number, now: Date): CertificateState {
  const days = daysRemaining(info.validTo, now);
  if (Date.parse(info.validTo) < now.getTime()) return "expired";
  return days <= windowDays ? "expiring" : "valid";
}

function kindOf(info: CertificateInfo, source: string | undefined): string {
  if (info.selfSigned) return "self_signed";
  if (/Let's Encrypt/i.test(info.issuer)) return "letsencrypt";
  if (source === "acme") return "acme";
  if (source === "upload") return "uploaded";
  return "ca_signed";
}

const MISSING: SlotStatus = { present: false, type: null, info: null, daysRemaining: null, status: "missing" };

export async function certificatesStatus(
  tenantId: string,
  gatewayId: number | undefined,
  now = new Date(),
): Promise<CertificatesStatus> {
  const gateway = await certificateGateway(tenantId, gatewayId, "gateway_id");
  const [inventory, settings, { doc }] = await Promise.all([
    getInventory(tenantId, gateway.id),
    certificateSettings(tenantId, gateway.id),
    gatewayCertificatesDoc(tenantId, gateway.id),
  ]);
  const window = settings.renewalDaysBeforeExpiry;
  const slot = (name: CertificateType): SlotStatus => {
    const reported = inventory?.certificates.find((c) => c.slot === name);
    if (!reported) return MISSING;
    const info = infoOfPem(reported.certificate);
    if (!info) return MISSING;
    const record = doc.slots[name];
    const source = record?.fingerprint === info.fingerprint ? record.source : undefined;
    return {
      present: true,
      type: kindOf(info, source),
      info,
      daysRemaining: daysRemaining(info.validTo, now),
      status: stateOf(info, window, now),
    };
  };
  return {
    gatewayId: gateway.id,
    https: slot("https"),
    mqtt: slot("mqtt"),
    clients: clientStatuses(inventory, window, now),
    settings,
    nextRenewalCheck: nextRenewalCheck(now),
    reportedAt: inventory?.reportedAt ?? null,
  };
}

function clientStatuses(inventory: InventoryItem | undefined, window: number, now: Date) {
  return (inventory?.clientCertificates ?? []).flatMap((c) => {
    const info = infoOfPem(c.certificate);
    return info
      ? [{ name: c.name, info, daysRemaining: daysRemaining(info.validTo, now), status: stateOf(info, window, now) }]
      : [];
  });
}

/** What a gateway reported, parsed; a certificate that no longer parses is shown as missing. */
function infoOfPem(pem: string): CertificateInfo | undefined {
  try {
    const first = pemCertificates(pem, "certificate")[0];
    return first ? certificateInfo(parseCertificate(first, "certificate")) : undefined;
  } catch {
    return undefined;
  }
}

// ── validate ──────────────────────────────────────────────────────────────────────────────────

export interface Examined {
  leaf: X509Certificate;
  leafPem: string;
  chain: X509Certificate[];
  chainPem: string | undefined;
  key: KeyObject | undefined;
  info: CertificateInfo;
  checks: Checks;
  recommendations: string[];
}

/** Parses and checks; a PEM that does not parse is a 400 naming its field and `certificate_valid`. */
export function examine(
  input: {
    certificate: string;
    privateKey?: string;
    chain?: string;
    fields: { certificate: string; privateKey: string; chain: string };
  },
  now: Date,
): Examined {
  const certs = pemCertificates(input.certificate, input.fields.certificate);
  const leafPem = certs[0] as string;
  const leaf = parseCertificate(leafPem, input.fields.certificate);
  // A certificate file may carry its chain after the leaf, as web servers write it.
  const chainPems = [...certs.slice(1), ...(input.chain ? pemCertificates(input.chain, input.fields.chain) : [])];
  const chain = chainPems.map((p) => parseCertificate(p, input.fields.chain));
  const key = input.privateKey ? parsePrivateKey(input.privateKey, input.fields.privateKey) : undefined;
  const checks = runChecks(leaf, key, chain, now);
  const info = certificateInfo(leaf);
  return {
    leaf,
    leafPem,
    chain,
    chainPem: chainPems.length > 0 ? chainPems.join("") : undefined,
    key,
    info,
    checks,
    recommendations: recommendations(info, checks, now),
  };
}

export const overallValid = (c: Checks): boolean =>
  c.signatureValid &&
  c.notExpired &&
  c.notBeforeValid &&
  c.keyMatch !== false &&
  c.chainValid &&
  c.keyStrength !== "weak";

// ── upload ────────────────────────────────────────────────────────────────────────────────────

export interface UploadInput {
  tenantId: string;
  gatewayId: number | undefined;
  by: string;
  type: CertificateType;
  certificate: string;
  privateKey: string;
  chain?: string;
}

/** How long a sealed key waits for its gateway to fetch it. */
const DELIVERY_SECONDS = 7 * 86_400;

export const randomId = (bytes = 18) => randomBytes(bytes).toString("base64url");

/** SHA-256 of the public key's SPKI DER: how the edge checks a delivered key against the certificate. */
export const keyFingerprint = (key: KeyObject): string =>
  createHash("sha256")
    .update(createPublicKey(key).export({ type: "spki", format: "der" }))
    .digest("hex");

/**
 * Refuses with the first failing check named (nothing stored then); otherwise seals the key as a
 * one-time delivery for the gateway and asks the gateway, through its shadow, to install the pair.
 */
export async function uploadCertificate(u: UploadInput, now = new Date()) {
  const gateway = await certificateGateway(u.tenantId, u.gatewayId, "gateway_id");
  const x = examine(
    {
      certificate: u.certificate,
      privateKey: u.privateKey,
      chain: u.chain,
      fields: { certificate: "certificate", privateKey: "private_key", chain: "chain" },
    },
    now,
  );
  const c = x.checks;
  if (c.keyMatch !== true)
    throw new Invalid("private_key: private_key_match: the key does not belong to the certificate");
  if (!c.chainValid || !c.signatureValid) {
    throw new Invalid("chain: chain_valid: each certificate must be issued and signed by the next one");
  }
  if (!c.notBeforeValid)
    throw new Invalid(`certificate: not_before_valid: the certificate is valid from ${x.info.validFrom}`);
  if (!c.notExpired) throw new Invalid(`certificate: not_expired: the certificate expired at ${x.info.validTo}`);
  if (c.keyStrength === "weak") {
    throw new Invalid(`certificate: key_strength: weak (${x.info.keySize} bits); use RSA ≥ 2048 or EC ≥ 256`);
  }
  const key = x.key as KeyObject;
  const deliveryId = randomId();
  const installId = `UPL-${randomId(9)}`;
  await putOneTime(u.tenantId, "CERTKEY", deliveryId, {
    kind: "private_key",
    gatewayId: gateway.id,
    // Only this gateway's key_request takes it.
    owner: `gateway:${gateway.id}`,
    content: await encryptSecret(u.tenantId, key.export({ type: "pkcs8", format: "pem" }).toString()),
    sealed: true,
    expiresAt: Math.floor(now.getTime() / 1000) + DELIVERY_SECONDS,
  });
  const outcome = await changeGatewayCertificatesRetrying(
    { tenantId: u.tenantId, gatewayId: gateway.id, by: u.by },
    (doc) => ({
      next: {
        ...doc,
        slots: {
          ...doc.slots,
          [u.type]: {
            install_id: installId,
            fingerprint: x.info.fingerprint,
            certificate: x.leafPem,
            ...(x.chainPem ? { chain: x.chainPem } : {}),
            key: { source: "delivery" as const, delivery_id: deliveryId, key_fingerprint: keyFingerprint(key) },
            source: "upload" as const,
            set_at: now.toISOString(),
            set_by: u.by,
            confirmed: false,
          },
        },
      },
      result: installId,
    }),
  );
  return {
    gatewayId: gateway.id,
    type: u.type,
    installId,
    info: x.info,
    checks: c,
    shadowWritten: outcome.sync.written > 0,
  };
}

// ── self-signed and downloads ─────────────────────────────────────────────────────────────────

/** A download link lives this long. */
export const DOWNLOAD_SECONDS = 600;
export type DownloadKind = "cert" | "key" | "bundle";

/**
 * A download link's material. The certificate may be fetched until the link expires; the key and
 * the bundle (which holds the key) only once: they are deleted as they are read.
 */
export async function download(tenantId: string, by: string, kind: DownloadKind, token: string) {
  const id = `${token}#${kind}`;
  const item =
    kind === "cert" ? await peekOneTime(tenantId, "CERTDL", id) : await takeOneTime(tenantId, "CERTDL", id, by);
  if (!item || item.owner !== by) throw new NotFound("token: no such download, or it expired or was already used");
  const body = item.sealed ? await decryptSecret(tenantId, item.content) : item.content;
  return {
    body,
    contentType: "application/x-pem-file",
    filename: { cert: "certificate.pem", key: "private-key.pem", bundle: "bundle.pem" }[kind],
  };
}

/**
 * The public certificates a gateway last reported (server slots and client certificates): what a
 * backup keeps of a gateway's certificates. Private keys never leave the gateway this way.
 */
export async function reportedCertificates(
  tenantId: string,
  gatewayId: number,
): Promise<{ name: string; pem: string }[]> {
  const inventory = await getInventory(tenantId, gatewayId);
  if (!inventory) return [];
  return [
    ...inventory.certificates.map((c) => ({
      name: c.slot,
      pem: c.chain ? `${c.certificate}\n${c.chain}` : c.certificate,
    })),
    ...inventory.clientCertificates.map((c) => ({ name: `client-${c.name}`, pem: c.certificate })),
  ];
}
