/**
 * Security policies: at most one per enterprise (a second create is a 409 naming the existing
 * policy), every field range-checked by the schema, frameworks stored by catalog id.
 */
import { getAuditSettings, setAuditRetention } from "#shared/audit/retention.ts";
import { hasPermission } from "#shared/auth/permissions.ts";
import { type AuthPolicyPatch, getAuthPolicy, MAX_HISTORY, updateAuthSettings } from "#shared/identity/auth-policy.ts";
import { Conflict, Forbidden } from "#shared/kit/errors.ts";
import { policyOfEnterprise } from "./db/records.ts";
import { type GrcScope, requireEnterprise } from "./enterprises.ts";
import { frameworkDisplayName, frameworkFilter, requireFramework } from "./frameworks.ts";
import {
  applyPatch,
  type Changes,
  createRecord,
  type GrcRecord,
  saveRecord,
  visibleRecord,
  visibleRecords,
} from "./records.ts";
import type { PolicyCreate, PolicyPatch } from "./schemas.ts";

function resolveFrameworks<T extends { primary_framework?: string | null; frameworks?: string[] }>(input: T): T {
  const out = { ...input };
  if (input.primary_framework)
    out.primary_framework = requireFramework(input.primary_framework, ["body", "primary_framework"]).id;
  if (input.frameworks)
    out.frameworks = [...new Set(input.frameworks.map((f, i) => requireFramework(f, ["body", "frameworks", i]).id))];
  return out;
}

export async function createPolicy(scope: GrcScope, input: PolicyCreate): Promise<GrcRecord> {
  requireEnterprise(scope, input.enterprise, ["body", "enterprise"]);
  const { enterprise, ...fields } = resolveFrameworks(input);
  try {
    return await createRecord(scope, "policy", {
      enterprise,
      framework: fields.primary_framework,
      doc: fields,
    });
  } catch (e) {
    if (!(e instanceof Conflict)) throw e;
    const existing = await policyOfEnterprise(scope.tenantId, enterprise);
    throw new Conflict(
      `Enterprise ${enterprise} already has a security policy (id ${existing ?? "unknown"}); update it instead`,
    );
  }
}

export async function listPolicies(scope: GrcScope, q: { enterprise?: string; primary_framework?: string }) {
  const framework = frameworkFilter(q.primary_framework);
  return visibleRecords(scope, "policy", { enterprise: q.enterprise, framework });
}

/** PATCH (a subset) or PUT (every field, defaults for those left out). */
export async function updatePolicy(
  scope: GrcScope,
  id: string,
  input: PolicyPatch,
): Promise<{ record: GrcRecord; changes: Changes }> {
  const r = await visibleRecord(scope, "policy", id);
  const resolved = resolveFrameworks(input);
  const { doc, changes } = applyPatch(r.doc, resolved);
  const framework = (doc.primary_framework as string | null) ?? undefined;
  return { record: await saveRecord(r, doc, changes, framework), changes };
}

export function complianceSummary(r: GrcRecord) {
  const d = r.doc;
  const ids = [d.primary_framework, ...((d.frameworks as string[] | undefined) ?? [])].filter(
    (f): f is string => typeof f === "string",
  );
  return {
    policy_id: r.id,
    enterprise: r.enterprise,
    frameworks: [...new Set(ids)].map((f) => frameworkDisplayName(f) ?? f),
    summary: {
      mfa_enabled: d.mfa_required === true,
      encryption_enabled: d.encryption_at_rest === true,
      audit_logging: d.enable_audit_logging === true,
      backup_enabled: d.enable_backups === true,
      vulnerability_scanning: d.enable_vuln_scanning === true,
    },
    updated_at: r.updatedAt,
  };
}

/**
 * Applies a policy to what Warden enforces for the whole tenant (beyond spec): the authentication
 * policy (password rules, MFA, sessions) and the audit retention. Fields with no Warden
 * counterpart (encryption, VPN, backups, scanning…) are policy statements only and are listed as
 * such. `dry_run` answers the diff without changing anything. Where the policy asks for more than
 * Warden can hold (a password history beyond 24, more than 50 concurrent sessions) the nearest
 * value Warden holds is applied and said so.
 */
export async function applyPolicy(scope: GrcScope, id: string, dryRun: boolean) {
  const r = await visibleRecord(scope, "policy", id);
  const d = r.doc as Record<string, number | boolean | string>;
  const patch: AuthPolicyPatch = {
    password_policy: {
      min_length: Number(d.password_min_length),
      require_uppercase: d.password_require_uppercase === true,
      require_lowercase: d.password_require_lowercase === true,
      require_numbers: d.password_require_numbers === true,
      require_special_chars: d.password_require_special_chars === true,
      expiry_days: Number(d.password_expiry_days),
      history_size: Math.min(Number(d.password_history_count), MAX_HISTORY),
    },
    session_settings: {
      timeout_minutes: Number(d.session_timeout_minutes),
      max_concurrent_sessions: Math.min(Number(d.session_concurrent_limit), 50),
    },
    ...(d.mfa_required === true ? { two_factor: { mode: "required" as const } } : {}),
  };
  const adjusted: string[] = [];
  if (Number(d.password_history_count) > MAX_HISTORY)
    adjusted.push(`password_history_count: Warden keeps at most ${MAX_HISTORY}`);
  if (Number(d.session_concurrent_limit) > 50) adjusted.push("session_concurrent_limit: Warden allows at most 50");
  const retention = Number(d.audit_log_retention_days);
  const current = await getAuthPolicy(scope.tenantId, true);
  const audit = await getAuditSettings(scope.tenantId, true);
  const planned: Record<string, { old: unknown; new: unknown }> = {};
  for (const [section, fields] of Object.entries(patch) as [keyof AuthPolicyPatch, Record<string, unknown>][]) {
    const now = current[section as keyof typeof current] as Record<string, unknown>;
    for (const [k, v] of Object.entries(fields))
      if (now[k] !== v) planned[`authentication.${section}.${k}`] = { old: now[k], new: v };
  }
  if (audit.retentionDays !== retention) planned["audit.retention_days"] = { old: audit.retentionDays, new: retention };
  if (!dryRun) {
    // Changing the authentication policy is the identity area's `security:admin` operation too.
    const p = scope.principal;
    const mayChange =
      hasPermission(p.permissions, "security:admin") && (!p.apiKey || hasPermission(p.apiKey.scopes, "security:admin"));
    if (!mayChange)
      throw new Forbidden("Applying a policy changes the authentication policy: it requires 'security:admin'");
    if (Object.keys(planned).some((k) => k.startsWith("authentication.")))
      await updateAuthSettings(scope.tenantId, patch);
    if (planned["audit.retention_days"]) await setAuditRetention(scope.tenantId, retention);
  }
  return {
    policy_id: r.id,
    enterprise: r.enterprise,
    dry_run: dryRun,
    applied: !dryRun && Object.keys(planned).length > 0,
    changes: planned,
    adjusted,
    not_enforced_by_warden: NOT_ENFORCED.filter((f) => f in r.doc),
  };
}

const NOT_ENFORCED = [
  "require_hardware_keys",
  "require_vpn_for_admin",
  "encryption_at_rest",
  "encryption_algorithm",
  "tls_minimum_version",
  "enforce_network_segmentation",
  "enforce_zero_trust",
  "require_vpn_for_remote_access",
  "enable_vuln_scanning",
  "auto_patch_critical",
  "enable_backups",
  "rto_hours",
  "rpo_minutes",
];
