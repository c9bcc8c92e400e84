/**
 * A gateway's certificate settings: renewal window, ACME account and CA, webroot for HTTP-01,
 * expiry notices. One versioned item per gateway (db/certificates.ts); the ACME server defaults
 * to Let's Encrypt, or in local mode to the local CA (`WARDEN_ACME_DIRECTORY`, pebble).
 */
import * as z from "zod/mini";
import { Invalid } from "#shared/kit/errors.ts";
import {
  type CertificateSettingsItem,
  getCertificateSettings,
  type LastRenewal,
  saveCertificateSettings,
} from "./db/certificates.ts";
import type { CertificateSettingsPatch } from "./schemas.ts";

export type { CertificateSettingsItem, LastRenewal } from "./db/certificates.ts";

export const LETS_ENCRYPT = "https://acme-v02.api.letsencrypt.org/directory";
export const LETS_ENCRYPT_STAGING = "https://acme-staging-v02.api.letsencrypt.org/directory";

const env = z
  .object({
    /** Local mode: the local CA's directory (pebble), the default and the one non-public CA allowed. */
    WARDEN_ACME_DIRECTORY: z.optional(z.url()),
  })
  .parse({ WARDEN_ACME_DIRECTORY: process.env.WARDEN_ACME_DIRECTORY || undefined });

export const localAcmeDirectory = (): string | undefined =>
  process.env.WARDEN_ACME_DIRECTORY || env.WARDEN_ACME_DIRECTORY;

export const defaultAcmeServer = (): string => localAcmeDirectory() ?? LETS_ENCRYPT;

/** The directory a renewal talks to: the setting, with staging mode turning Let's Encrypt into its staging CA. */
export function effectiveAcmeServer(s: CertificateSettingsItem): string {
  const server = s.acmeServer ?? defaultAcmeServer();
  return s.stagingMode && server === LETS_ENCRYPT ? LETS_ENCRYPT_STAGING : server;
}

/** The daily renewal check runs at 02:00 UTC: the next one after `now`. */
export function nextRenewalCheck(now: Date): string {
  const next = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), 2, 0, 0));
  if (next.getTime() <= now.getTime()) next.setUTCDate(next.getUTCDate() + 1);
  return next.toISOString().replace(/\.000Z$/, "Z");
}

export async function certificateSettings(tenantId: string, gatewayId: number): Promise<CertificateSettingsItem> {
  return getCertificateSettings(tenantId, gatewayId);
}

/** The wire names of the settings, for `changes`. */
const FIELDS = {
  auto_renew: "autoRenew",
  renewal_days_before_expiry: "renewalDaysBeforeExpiry",
  acme_email: "acmeEmail",
  acme_server: "acmeServer",
  staging_mode: "stagingMode",
  webroot_path: "webrootPath",
  notify_before_expiry: "notifyBeforeExpiry",
  notify_days_before: "notifyDaysBefore",
  key_rotation_days: "keyRotationDays",
} as const satisfies Record<keyof CertificateSettingsPatch, keyof CertificateSettingsItem>;

export type SettingsChanges = Record<string, { old: unknown; new: unknown }>;

function checkAcmeServer(url: string) {
  const local = localAcmeDirectory();
  if (url === local) return;
  const u = new URL(url);
  if (u.protocol !== "https:") throw new Invalid("acme_server: must be an https URL (an ACME directory)");
}

/** The checks a settings patch must pass beyond its schema (before anything is written). */
export function checkCertificateSettings(patch: CertificateSettingsPatch): void {
  if (patch.acme_server !== undefined) checkAcmeServer(patch.acme_server);
  if (patch.notify_days_before && new Set(patch.notify_days_before).size !== patch.notify_days_before.length) {
    throw new Invalid("notify_days_before: days must not repeat");
  }
}

/** Applies a settings patch to one gateway's settings; answers what changed, old and new. */
export async function updateCertificateSettings(
  tenantId: string,
  gatewayId: number,
  patch: CertificateSettingsPatch,
): Promise<{ changes: SettingsChanges; settings: CertificateSettingsItem }> {
  checkCertificateSettings(patch);
  const current = await getCertificateSettings(tenantId, gatewayId);
  const changes: SettingsChanges = {};
  const next: Partial<CertificateSettingsItem> = {};
  for (const [wire, field] of Object.entries(FIELDS) as [keyof typeof FIELDS, (typeof FIELDS)[keyof typeof FIELDS]][]) {
    const value = patch[wire];
    if (value === undefined) continue;
    const stored = field === "notifyDaysBefore" ? [...(value as number[])].sort((a, b) => b - a) : value;
    const old = field === "acmeServer" ? (current.acmeServer ?? defaultAcmeServer()) : current[field];
    if (JSON.stringify(old) === JSON.stringify(stored)) continue;
    changes[wire] = { old, new: stored };
    (next as Record<string, unknown>)[field] = stored;
  }
  if (Object.keys(next).length > 0) await saveCertificateSettings(tenantId, gatewayId, current.version, next);
  return { changes, settings: { ...current, ...next } };
}

/** Records the outcome of a renewal on the gateway's settings (read by the status route). */
export async function recordLastRenewal(tenantId: string, gatewayId: number, last: LastRenewal): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const current = await getCertificateSettings(tenantId, gatewayId);
    try {
      await saveCertificateSettings(tenantId, gatewayId, current.version, { lastRenewal: last });
      return;
    } catch (e) {
      if ((e as { statusCode?: number }).statusCode !== 409 || attempt >= 4) throw e;
    }
  }
}
