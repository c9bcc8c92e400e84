/**
 * The certificates area on the wire (gateway spec "Certificate Management"): each answer's zod
 * schema next to the view that builds it. snake_case here, camelCase in the domain.
 */
import * as z from "zod/mini";
import { certificateRenewal, type ExecutionItem } from "#shared/workflows/engine.ts";
import type { CertificateInfo, CertificatesStatus, Checks, SlotStatus } from "./certificates.ts";
import type { CertificateSettingsItem, SettingsChanges } from "./settings.ts";
import { defaultAcmeServer } from "./settings.ts";

const STATES = ["valid", "expiring", "expired", "missing"] as const;

export const SlotStatusView = z.object({
  present: z.boolean(),
  type: z.nullable(z.string()),
  subject: z.nullable(z.string()),
  issuer: z.nullable(z.string()),
  valid_from: z.nullable(z.string()),
  valid_to: z.nullable(z.string()),
  days_remaining: z.nullable(z.number()),
  status: z.enum(STATES),
  algorithm: z.nullable(z.string()),
  key_size: z.nullable(z.number()),
  san: z.array(z.string()),
  fingerprint: z.nullable(z.string()),
});

export const LastRenewalView = z.nullable(
  z.object({
    renewal_id: z.string(),
    status: z.enum(["running", "succeeded", "failed"]),
    at: z.string(),
    error: z.nullable(z.string()),
  }),
);

export const CertificatesStatusView = z.object({
  gateway_id: z.number(),
  https_certificate: SlotStatusView,
  mqtt_certificate: SlotStatusView,
  client_certificates: z.array(
    z.object({
      name: z.string(),
      subject: z.string(),
      valid_to: z.string(),
      days_remaining: z.number(),
      status: z.enum(STATES),
    }),
  ),
  settings: z.object({
    auto_renew: z.boolean(),
    renewal_days_before_expiry: z.number(),
    acme_email: z.nullable(z.string()),
    acme_server: z.string(),
    last_renewal: LastRenewalView,
    next_renewal_check: z.string(),
  }),
  reported_at: z.nullable(z.string()),
});

const slotView = (s: SlotStatus): z.infer<typeof SlotStatusView> => ({
  present: s.present,
  type: s.type,
  subject: s.info?.subject ?? null,
  issuer: s.info?.issuer ?? null,
  valid_from: s.info?.validFrom ?? null,
  valid_to: s.info?.validTo ?? null,
  days_remaining: s.daysRemaining,
  status: s.status,
  algorithm: s.info?.algorithm ?? null,
  key_size: s.info?.keySize ?? null,
  san: s.info?.san ?? [],
  fingerprint: s.info?.fingerprint ?? null,
});

const lastRenewalView = (s: CertificateSettingsItem): z.infer<typeof LastRenewalView> =>
  s.lastRenewal
    ? {
        renewal_id: s.lastRenewal.renewalId,
        status: s.lastRenewal.status,
        at: s.lastRenewal.at,
        error: s.lastRenewal.error,
      }
    : null;

export const certificatesStatusView = (st: CertificatesStatus): z.infer<typeof CertificatesStatusView> => ({
  gateway_id: st.gatewayId,
  https_certificate: slotView(st.https),
  mqtt_certificate: slotView(st.mqtt),
  client_certificates: st.clients.map((c) => ({
    name: c.name,
    subject: c.info.subject,
    valid_to: c.info.validTo,
    days_remaining: c.daysRemaining,
    status: c.status,
  })),
  settings: {
    auto_renew: st.settings.autoRenew,
    renewal_days_before_expiry: st.settings.renewalDaysBeforeExpiry,
    acme_email: st.settings.acmeEmail,
    acme_server: st.settings.acmeServer ?? defaultAcmeServer(),
    last_renewal: lastRenewalView(st.settings),
    next_renewal_check: st.nextRenewalCheck,
  },
  reported_at: st.reportedAt,
});

const InfoView = z.object({
  subject: z.string(),
  issuer: z.string(),
  valid_from: z.string(),
  valid_to: z.string(),
  algorithm: z.string(),
  key_size: z.number(),
});
const infoView = (i: CertificateInfo) => ({
  subject: i.subject,
  issuer: i.issuer,
  valid_from: i.validFrom,
  valid_to: i.validTo,
  algorithm: i.algorithm,
  key_size: i.keySize,
});

export const UploadedView = z.object({
  status: z.literal("uploaded"),
  gateway_id: z.number(),
  install_id: z.string(),
  certificate_info: z.extend(InfoView, {
    type: z.enum(["https", "mqtt"]),
    san: z.array(z.string()),
    serial_number: z.string(),
    fingerprint: z.string(),
  }),
  validation: z.object({
    certificate_valid: z.boolean(),
    private_key_match: z.boolean(),
    chain_valid: z.boolean(),
    not_expired: z.boolean(),
    key_strength: z.enum(["weak", "adequate", "strong"]),
  }),
  message: z.string(),
  services_restarted: z.array(z.string()),
});

export const uploadedView = (u: {
  gatewayId: number;
  type: "https" | "mqtt";
  installId: string;
  info: CertificateInfo;
  checks: Checks;
  shadowWritten: boolean;
}): z.infer<typeof UploadedView> => ({
  status: "uploaded",
  gateway_id: u.gatewayId,
  install_id: u.installId,
  certificate_info: {
    type: u.type,
    ...infoView(u.info),
    san: u.info.san,
    serial_number: u.info.serialNumber,
    fingerprint: u.info.fingerprint,
  },
  validation: {
    certificate_valid: true,
    private_key_match: u.checks.keyMatch === true,
    chain_valid: u.checks.chainValid,
    not_expired: u.checks.notExpired,
    key_strength: u.checks.keyStrength,
  },
  message: u.shadowWritten
    ? "Certificate uploaded successfully; the gateway installs it and reports the fingerprint it serves"
    : "Certificate uploaded successfully; the gateway installs it when it next connects",
  // Reloads happen on the gateway once it has installed the pair; its report says which (GET /certificates/status).
  services_restarted: [],
});

export const ValidationView = z.object({
  valid: z.boolean(),
  validation_result: z.object({
    signature_valid: z.boolean(),
    not_expired: z.boolean(),
    not_before_valid: z.boolean(),
    key_match: z.nullable(z.boolean()),
    chain_valid: z.boolean(),
    key_strength: z.enum(["weak", "adequate", "strong"]),
    subject_valid: z.boolean(),
    san_present: z.boolean(),
  }),
  certificate_info: InfoView,
  recommendations: z.array(z.string()),
});

export const validationView = (x: {
  valid: boolean;
  checks: Checks;
  info: CertificateInfo;
  recommendations: string[];
}): z.infer<typeof ValidationView> => ({
  valid: x.valid,
  validation_result: {
    signature_valid: x.checks.signatureValid,
    not_expired: x.checks.notExpired,
    not_before_valid: x.checks.notBeforeValid,
    key_match: x.checks.keyMatch,
    chain_valid: x.checks.chainValid,
    key_strength: x.checks.keyStrength,
    subject_valid: x.checks.subjectValid,
    san_present: x.checks.sanPresent,
  },
  certificate_info: infoView(x.info),
  recommendations: x.recommendations,
});

export const SelfSignedView = z.object({
  status: z.literal("generated"),
  certificate: z.object({
    certificate: z.string(),
    private_key: z.string(),
    csr: z.string(),
    subject: z.string(),
    valid_from: z.string(),
    valid_to: z.string(),
    fingerprint: z.string(),
    key_size: z.number(),
    algorithm: z.enum(["RSA", "EC"]),
  }),
  download_urls: z.object({ certificate: z.string(), private_key: z.string(), bundle: z.string() }),
  download_expires_at: z.string(),
  message: z.string(),
});

const DOWNLOAD_BASE = "/cloud-integration/security/certificates/download";

export const selfSignedView = (g: {
  certificatePem: string;
  privateKeyPem: string;
  csrPem: string;
  subject: string;
  info: CertificateInfo;
  token: string;
  expiresAt: number;
  algorithm: "RSA" | "EC";
}): z.infer<typeof SelfSignedView> => ({
  status: "generated",
  certificate: {
    certificate: g.certificatePem,
    private_key: g.privateKeyPem,
    csr: g.csrPem,
    subject: g.subject,
    valid_from: g.info.validFrom,
    valid_to: g.info.validTo,
    fingerprint: `SHA256:${Buffer.from(g.info.fingerprint, "hex").toString("base64").replace(/=+$/, "")}`,
    key_size: g.info.keySize,
    algorithm: g.algorithm,
  },
  download_urls: {
    certificate: `${DOWNLOAD_BASE}/cert?token=${g.token}`,
    private_key: `${DOWNLOAD_BASE}/key?token=${g.token}`,
    bundle: `${DOWNLOAD_BASE}/bundle?token=${g.token}`,
  },
  download_expires_at: new Date(g.expiresAt * 1000).toISOString(),
  message: "Self-signed certificate generated successfully",
});

export const SettingsUpdatedView = z.object({
  status: z.literal("updated"),
  gateway_id: z.number(),
  message: z.string(),
  next_renewal_check: z.string(),
  changes: z.record(z.string(), z.object({ old: z.unknown(), new: z.unknown() })),
});

export const settingsUpdatedView = (gatewayId: number, changes: SettingsChanges, next: string) => ({
  status: "updated" as const,
  gateway_id: gatewayId,
  message:
    Object.keys(changes).length > 0 ? "Certificate settings updated successfully" : "Certificate settings unchanged",
  next_renewal_check: next,
  changes,
});

export const RenewStartedView = z.object({
  status: z.literal("renewing"),
  gateway_id: z.number(),
  certificate_type: z.enum(["https", "mqtt"]),
  renewal_id: z.string(),
  estimated_time: z.number(),
  steps: z.array(z.string()),
  message: z.string(),
});

export const renewStartedView = (r: {
  gatewayId: number;
  slot: "https" | "mqtt";
  execution: ExecutionItem;
  started: boolean;
}): z.infer<typeof RenewStartedView> => ({
  status: "renewing",
  gateway_id: r.gatewayId,
  certificate_type: r.slot,
  renewal_id: r.execution.executionId,
  estimated_time: 60,
  steps: certificateRenewal.steps.map((s) => s.label),
  message: r.started ? "Certificate renewal started" : "Certificate renewal already running",
});

export const RenewalView = z.object({
  renewal_id: z.string(),
  status: z.enum(["running", "succeeded", "failed"]),
  step: z.nullable(z.string()),
  steps_done: z.array(z.string()),
  error: z.nullable(z.string()),
  started_at: z.string(),
  finished_at: z.nullable(z.string()),
  fingerprint: z.nullable(z.string()),
});

export const renewalView = (e: ExecutionItem): z.infer<typeof RenewalView> => ({
  renewal_id: e.executionId,
  status: e.status,
  step: e.step,
  steps_done: e.stepsDone,
  error: e.error,
  started_at: e.startedAt,
  finished_at: e.finishedAt,
  fingerprint: typeof e.result?.fingerprint === "string" ? e.result.fingerprint : null,
});
