/**
 * Evidence checks and the catalog requirements they give evidence for. A check is a question
 * Warden can answer from its own state (gateway settings, users, API keys, the audit chain, scans);
 * a binding says "a passing check is evidence towards this requirement". The checks themselves are
 * implemented elsewhere, later; this file is the contract between them and the catalogs.
 *
 * A binding is evidence, not proof: a requirement is met by the organisation's whole practice, and
 * one passing check is at most one part of that.
 */
import type { CatalogId } from "./catalogs.ts";

/** Each check, with what it reads to decide. */
export const EVIDENCE_CHECKS = {
  firewall_default_deny:
    "Every gateway's firewall denies inbound traffic that no rule allows (reads each gateway's firewall settings).",
  firewall_applied_all_gateways:
    "The tenant's firewall policy is in force on every registered gateway (compares desired and reported firewall state per gateway).",
  gateways_in_sync:
    "Every gateway reports the configuration it was sent (compares each device shadow's desired and reported sections).",
  mfa_enforced_for_admins:
    "The authentication policy requires MFA of every user holding an administrative role (reads the policy and role assignments).",
  mfa_coverage_users:
    "The share of active users with MFA enrolled meets the tenant's target (reads users' MFA enrolment).",
  password_policy_strong:
    "The password policy asks for at least 14 characters and rejects common or breached passwords (reads the password policy).",
  account_lockout_enabled:
    "Repeated failed sign-ins lock the account for a while (reads the lockout threshold and duration).",
  audit_chain_intact: "The tenant's audit log hash chain verifies from first to last record (recomputes the chain).",
  audit_retention_365d: "Audit records are kept for at least 365 days (reads the audit retention setting).",
  api_keys_expire: "Every active API key has an expiry date (reads the tenant's API keys).",
  api_keys_scoped:
    "No active API key holds full administrative scope; each names only what it needs (reads API key scopes).",
  ssh_password_auth_disabled:
    "SSH on every gateway accepts keys only, never passwords (reads each gateway's SSH settings).",
  ssh_root_login_disabled: "SSH on every gateway refuses direct root login (reads each gateway's SSH settings).",
  certificates_valid_14d:
    "Every gateway and service certificate stays valid for at least 14 more days (reads certificate expiry dates).",
  backups_recent_24h:
    "Every gateway has a successful configuration backup from the last 24 hours (reads backup records).",
  cloud_scan_no_critical:
    "The latest posture scan of each connected cloud account has no open critical finding (reads scan findings).",
} as const;

export type EvidenceCheckId = keyof typeof EVIDENCE_CHECKS;

export function isEvidenceCheckId(value: string): value is EvidenceCheckId {
  return Object.hasOwn(EVIDENCE_CHECKS, value);
}

export const EVIDENCE_CHECK_IDS: readonly EvidenceCheckId[] = Object.keys(EVIDENCE_CHECKS).filter(isEvidenceCheckId);

export interface EvidenceBinding {
  check_id: EvidenceCheckId;
  framework_id: CatalogId;
  requirement_id: string;
}

function bind(check: EvidenceCheckId, ...targets: [CatalogId, string][]): EvidenceBinding[] {
  return targets.map(([framework_id, requirement_id]) => ({ check_id: check, framework_id, requirement_id }));
}

export const EVIDENCE_BINDINGS: readonly EvidenceBinding[] = [
  ...bind(
    "firewall_default_deny",
    ["cis-controls-v8.1", "4.4"],
    ["nist-csf-2.0", "PR.IR-01"],
    ["nist-800-53-r5", "sc-7.5"],
    ["iso-27001-2022", "A.8.20"],
    ["pci-dss-4.0", "1.3"],
  ),
  ...bind(
    "firewall_applied_all_gateways",
    ["cis-controls-v8.1", "4.2"],
    ["nist-csf-2.0", "PR.PS-01"],
    ["nist-800-53-r5", "cm-2"],
  ),
  ...bind(
    "gateways_in_sync",
    ["cis-controls-v8.1", "4.1"],
    ["nist-csf-2.0", "PR.PS-01"],
    ["nist-800-53-r5", "cm-6"],
    ["iso-27001-2022", "A.8.9"],
  ),
  ...bind(
    "mfa_enforced_for_admins",
    ["cis-controls-v8.1", "6.5"],
    ["nist-csf-2.0", "PR.AA-03"],
    ["nist-800-53-r5", "ia-2.1"],
    ["iso-27001-2022", "A.8.5"],
    ["pci-dss-4.0", "8.4"],
  ),
  ...bind(
    "mfa_coverage_users",
    ["cis-controls-v8.1", "6.3"],
    ["nist-csf-2.0", "PR.AA-03"],
    ["nist-800-53-r5", "ia-2.2"],
  ),
  ...bind(
    "password_policy_strong",
    ["cis-controls-v8.1", "5.2"],
    ["nist-csf-2.0", "PR.AA-01"],
    ["nist-800-53-r5", "ia-5.1"],
    ["iso-27001-2022", "A.5.17"],
  ),
  ...bind(
    "account_lockout_enabled",
    ["nist-csf-2.0", "PR.AA-03"],
    ["nist-800-53-r5", "ac-7"],
    ["iso-27001-2022", "A.8.5"],
    ["pci-dss-4.0", "8.3"],
  ),
  ...bind(
    "audit_chain_intact",
    ["cis-controls-v8.1", "8.9"],
    ["nist-csf-2.0", "PR.PS-04"],
    ["nist-800-53-r5", "au-9"],
    ["iso-27001-2022", "A.8.15"],
    ["pci-dss-4.0", "10.3"],
    ["soc2-tsc-2017", "CC7.2"],
  ),
  ...bind(
    "audit_retention_365d",
    ["cis-controls-v8.1", "8.10"],
    ["nist-800-53-r5", "au-11"],
    ["pci-dss-4.0", "10.5"],
    ["hipaa-security-rule", "164.312(b)"],
  ),
  ...bind("api_keys_expire", ["cis-controls-v8.1", "6.2"], ["nist-csf-2.0", "PR.AA-01"], ["nist-800-53-r5", "ia-5"]),
  ...bind(
    "api_keys_scoped",
    ["cis-controls-v8.1", "6.8"],
    ["nist-csf-2.0", "PR.AA-05"],
    ["nist-800-53-r5", "ac-6"],
    ["iso-27001-2022", "A.5.18"],
    ["soc2-tsc-2017", "CC6.3"],
  ),
  ...bind(
    "ssh_password_auth_disabled",
    ["cis-controls-v8.1", "4.6"],
    ["nist-csf-2.0", "PR.AA-03"],
    ["nist-800-53-r5", "ia-2"],
    ["hipaa-security-rule", "164.312(d)"],
  ),
  ...bind(
    "ssh_root_login_disabled",
    ["cis-controls-v8.1", "5.4"],
    ["nist-800-53-r5", "ac-6.2"],
    ["hipaa-security-rule", "164.312(a)(2)(i)"],
  ),
  ...bind(
    "certificates_valid_14d",
    ["cis-controls-v8.1", "3.10"],
    ["nist-csf-2.0", "PR.DS-02"],
    ["nist-800-53-r5", "sc-17"],
    ["pci-dss-4.0", "4.2"],
  ),
  ...bind(
    "backups_recent_24h",
    ["cis-controls-v8.1", "11.2"],
    ["nist-csf-2.0", "PR.DS-11"],
    ["nist-800-53-r5", "cp-9"],
    ["iso-27001-2022", "A.8.13"],
    ["hipaa-security-rule", "164.308(a)(7)(ii)(A)"],
    ["soc2-tsc-2017", "A1.2"],
  ),
  ...bind(
    "cloud_scan_no_critical",
    ["cis-controls-v8.1", "7.7"],
    ["nist-csf-2.0", "ID.RA-01"],
    ["nist-800-53-r5", "ra-5"],
    ["iso-27001-2022", "A.8.8"],
  ),
];

/** The checks whose passing result counts as evidence for this requirement. */
export function checksFor(frameworkId: string, requirementId: string): EvidenceCheckId[] {
  return EVIDENCE_BINDINGS.filter((b) => b.framework_id === frameworkId && b.requirement_id === requirementId).map(
    (b) => b.check_id,
  );
}

/** The requirements a check gives evidence for. */
export function requirementsFor(checkId: EvidenceCheckId): EvidenceBinding[] {
  return EVIDENCE_BINDINGS.filter((b) => b.check_id === checkId);
}
