/**
 * The evidence checks, each a question answered from Warden's own state through the other areas'
 * roots: the identity area (authentication policy, users' second factor, API keys), the fleet
 * (each gateway's named shadows: what the cloud asked for and whether the gateway runs exactly
 * that), the audit trail (hash chain, retention) and the cloud posture scans (open critical
 * alerts of each scanned account). A check whose source does not exist yet (certificates,
 * backups) answers `not_available` with the reason — never a pass.
 *
 * Each answer carries the facts it saw, so an evidence record shows why and how fresh it is.
 */
import { getAuditSettings } from "#shared/audit/retention.ts";
import { verifyAuditChain } from "#shared/audit/trail.ts";
import { listFleet } from "#shared/fleet/gateways.ts";
import { listApiKeys } from "#shared/identity/api-keys.ts";
import { getAuthPolicy, twoFactorRequired } from "#shared/identity/auth-policy.ts";
import { listUserSummaries } from "#shared/identity/users.ts";
import { type AlertItem, alertsOf } from "#shared/posture/alerts.ts";
import { scansOf } from "#shared/posture/scans.ts";
import { EVIDENCE_CHECKS, type EvidenceCheckId } from "./evidence-bindings.ts";

export type CheckResult = "pass" | "fail" | "not_available";

export interface CheckAnswer {
  result: CheckResult;
  reason: string;
  facts: Record<string, unknown>;
}

/** What each check reads, by area (for GET /evidence/checks/). */
export const CHECK_READS: Record<EvidenceCheckId, string[]> = {
  firewall_default_deny: ["fleet: each gateway's firewall shadow (desired and reported)"],
  firewall_applied_all_gateways: ["fleet: each gateway's firewall shadow sync state"],
  gateways_in_sync: ["fleet: each gateway's firewall and ssh shadow sync state"],
  mfa_enforced_for_admins: ["identity: authentication policy (two_factor)", "identity: users with the admin role"],
  mfa_coverage_users: ["identity: active users' second factor"],
  password_policy_strong: ["identity: authentication policy (password_policy)"],
  account_lockout_enabled: ["identity: authentication policy (account_protection)"],
  audit_chain_intact: ["audit: the tenant's hash chain, recomputed"],
  audit_retention_365d: ["audit: retention setting"],
  api_keys_expire: ["identity: the tenant's API keys"],
  api_keys_scoped: ["identity: the tenant's API keys"],
  ssh_password_auth_disabled: ["fleet: each gateway's ssh shadow (desired) and sync state"],
  ssh_root_login_disabled: ["fleet: each gateway's ssh shadow (desired) and sync state"],
  certificates_valid_14d: ["certificates: not built yet"],
  backups_recent_24h: ["backups: not built yet"],
  cloud_scan_no_critical: [
    "posture: each cloud account's latest completed scan",
    "posture: the tenant's cloud alerts (critical, open or acknowledged)",
  ],
};

const NOT_AVAILABLE: Partial<Record<EvidenceCheckId, string>> = {
  certificates_valid_14d: "Warden does not manage TLS certificates yet: there is no certificate state to check",
  backups_recent_24h: "Warden does not take configuration backups yet: there is no backup record to check",
};

export const isAvailable = (check: EvidenceCheckId): boolean => !(check in NOT_AVAILABLE);

const pass = (reason: string, facts: Record<string, unknown>): CheckAnswer => ({ result: "pass", reason, facts });
const fail = (reason: string, facts: Record<string, unknown>): CheckAnswer => ({ result: "fail", reason, facts });

type Desired = Record<string, unknown> | undefined;

/**
 * Every gateway with what the cloud asks it to run for `shadow` and its sync state: the shadow's
 * desired document, or — once the edge cleared it after applying — the one rendered from the saved
 * configuration (the fleet answers both).
 */
async function gatewaysWith(tenantId: string, shadow: "firewall" | "ssh") {
  const fleet = await listFleet(tenantId);
  return fleet.map((g) => ({
    gateway: g.gateway.id,
    name: g.gateway.name,
    sync: g.sync[shadow],
    desired: g.desired[shadow] as Desired,
  }));
}

function isDefaultDenyRule(r: unknown): boolean {
  const rule = r as Record<string, unknown>;
  return (
    rule.enabled !== false &&
    rule.chain === "INPUT" &&
    (rule.action === "DROP" || rule.action === "REJECT") &&
    (rule.source === undefined || rule.source === null || rule.source === "0.0.0.0/0" || rule.source === "any") &&
    (rule.port === undefined || rule.port === null || rule.port === "")
  );
}

/**
 * Per gateway: what the cloud asks for must satisfy `wanted`, and the gateway must run exactly it
 * (shadow sync `applied`). No gateway at all: not available (nothing to show).
 */
async function everyGateway(
  tenantId: string,
  shadow: "firewall" | "ssh",
  what: string,
  wanted: (desired: Record<string, unknown>) => boolean,
): Promise<CheckAnswer> {
  const gws = await gatewaysWith(tenantId, shadow);
  if (gws.length === 0) {
    return {
      result: "not_available",
      reason: "No gateway is registered: there is nothing to check",
      facts: { gateways: 0 },
    };
  }
  const facts = gws.map((g) => ({
    gateway_id: g.gateway,
    name: g.name,
    sync_status: g.sync.status,
    desired_version: g.sync.desiredVersion,
    reported_version: g.sync.reportedVersion,
    reported_at: g.sync.reportedAt,
    sync_error: g.sync.error,
    configured: g.desired ? wanted(g.desired) : false,
  }));
  const bad = facts.filter((f) => !f.configured || f.sync_status !== "applied");
  const summary = { gateways: facts.length, failing: bad.length, per_gateway: facts };
  if (bad.length === 0) return pass(`All ${facts.length} gateway(s) run ${what}`, summary);
  const first = bad[0];
  const why = !first?.configured
    ? `${what} is not configured`
    : `its ${shadow} shadow is ${first.sync_status}${first.sync_error ? ` (${first.sync_error})` : ""}`;
  return fail(
    `${bad.length} of ${facts.length} gateway(s) do not run ${what}: gateway ${first?.gateway_id} ${why}`,
    summary,
  );
}

export async function runCheck(tenantId: string, check: EvidenceCheckId): Promise<CheckAnswer> {
  const unavailable = NOT_AVAILABLE[check];
  if (unavailable) return { result: "not_available", reason: unavailable, facts: {} };
  switch (check) {
    case "firewall_default_deny":
      return everyGateway(
        tenantId,
        "firewall",
        "a default-deny firewall",
        (d) =>
          d.enabled === true &&
          (d.default_policy === "DROP" || (Array.isArray(d.rules) && d.rules.some(isDefaultDenyRule))),
      );
    case "firewall_applied_all_gateways":
      return everyGateway(tenantId, "firewall", "the tenant's firewall policy", (d) => d.enabled === true);
    case "gateways_in_sync": {
      const [fw, ssh] = await Promise.all([
        everyGateway(tenantId, "firewall", "their desired firewall configuration", () => true),
        everyGateway(tenantId, "ssh", "their desired SSH configuration", () => true),
      ]);
      if (fw.result !== "pass") return fw;
      return ssh.result === "pass"
        ? pass("Every gateway runs its desired firewall and SSH configuration", { firewall: fw.facts, ssh: ssh.facts })
        : ssh;
    }
    case "ssh_password_auth_disabled":
      return everyGateway(
        tenantId,
        "ssh",
        "key-only SSH",
        (d) => d.password_authentication === false && d.login_method === "key",
      );
    case "ssh_root_login_disabled":
      return everyGateway(tenantId, "ssh", "SSH without root login", (d) => d.permit_root_login === false);
    case "mfa_enforced_for_admins": {
      const [policy, users] = await Promise.all([
        getAuthPolicy(tenantId, true),
        listUserSummaries(tenantId, { limit: 10_000 }),
      ]);
      const admins = users.users.filter((u) => u.user.role === "admin" && u.status === "active");
      const enforced =
        policy.two_factor.mode === "required" ||
        (policy.two_factor.mode !== "disabled" && policy.two_factor.enforced_for_roles.includes("admin"));
      const without = admins.filter((u) => !u.user.twoFactorEnabled || !twoFactorRequired(u.user, policy));
      const facts = {
        two_factor_mode: policy.two_factor.mode,
        enforced_for_roles: policy.two_factor.enforced_for_roles,
        active_admins: admins.length,
        admins_without_mfa: without.map((u) => u.user.username),
      };
      if (!enforced)
        return fail(
          `The authentication policy does not require MFA of administrators (mode ${policy.two_factor.mode})`,
          facts,
        );
      if (without.length > 0) return fail(`${without.length} administrator(s) have no second factor enrolled`, facts);
      return pass(`MFA is required of administrators and all ${admins.length} have it enrolled`, facts);
    }
    case "mfa_coverage_users": {
      const users = (await listUserSummaries(tenantId, { limit: 10_000 })).users.filter((u) => u.status === "active");
      const enrolled = users.filter((u) => u.user.twoFactorEnabled).length;
      const share = users.length === 0 ? 0 : Math.round((1000 * enrolled) / users.length) / 10;
      const facts = { active_users: users.length, with_mfa: enrolled, percent: share, target_percent: 100 };
      return enrolled === users.length
        ? pass(`All ${users.length} active users have a second factor`, facts)
        : fail(`${users.length - enrolled} of ${users.length} active users have no second factor`, facts);
    }
    case "password_policy_strong": {
      const p = (await getAuthPolicy(tenantId, true)).password_policy;
      const facts = { min_length: p.min_length, prevent_common: p.prevent_common, prevent_reuse: p.prevent_reuse };
      return p.min_length >= 14 && p.prevent_common
        ? pass(`Passwords need ${p.min_length}+ characters and common passwords are refused`, facts)
        : fail(
            `Passwords need only ${p.min_length} characters${p.prevent_common ? "" : " and common passwords are accepted"}`,
            facts,
          );
    }
    case "account_lockout_enabled": {
      const a = (await getAuthPolicy(tenantId, true)).account_protection;
      const facts = { lockout_attempts: a.lockout_attempts, lockout_duration: a.lockout_duration };
      return a.lockout_attempts > 0 && a.lockout_duration > 0
        ? pass(`Accounts lock after ${a.lockout_attempts} failed sign-ins for ${a.lockout_duration} minutes`, facts)
        : fail("Failed sign-ins never lock the account", facts);
    }
    case "audit_chain_intact": {
      const r = await verifyAuditChain(tenantId);
      const facts = { intact: r.intact, records_checked: r.checked, broken_at: r.brokenAt ?? null };
      return r.intact
        ? pass(`The audit hash chain verifies over ${r.checked} record(s)`, facts)
        : fail(`The audit hash chain breaks at record ${r.brokenAt?.seq}: ${r.brokenAt?.reason}`, facts);
    }
    case "audit_retention_365d": {
      const s = await getAuditSettings(tenantId, true);
      const facts = { retention_days: s.retentionDays };
      return s.retentionDays >= 365
        ? pass(`Audit records are kept ${s.retentionDays} days`, facts)
        : fail(`Audit records are kept only ${s.retentionDays} days`, facts);
    }
    case "api_keys_expire":
    case "api_keys_scoped": {
      const keys = (await listApiKeys(tenantId)).filter((k) => k.status === "active");
      const offending =
        check === "api_keys_expire"
          ? keys.filter((k) => !k.expiresAt)
          : keys.filter((k) => k.scopes.some((s) => s === "*" || s.endsWith(":*") || s.endsWith(":admin")));
      const facts = { active_keys: keys.length, offending: offending.map((k) => ({ id: k.id, name: k.name })) };
      const what = check === "api_keys_expire" ? "have no expiry date" : "hold administrative or wildcard scopes";
      return offending.length === 0
        ? pass(`None of the ${keys.length} active API key(s) ${what}`, facts)
        : fail(`${offending.length} active API key(s) ${what}`, facts);
    }
    case "cloud_scan_no_critical":
      return noOpenCriticalCloudFinding(tenantId);
    default:
      return { result: "not_available", reason: `No implementation for '${check}'`, facts: {} };
  }
}

/**
 * Per scanned cloud account, its latest completed scan; the critical alerts of those accounts that
 * are open or acknowledged, or whose suppression has expired (a suppression is a governed exception
 * with an expiry; a resolved alert was fixed). No completed scan at all: not available, never a pass.
 */
async function noOpenCriticalCloudFinding(tenantId: string): Promise<CheckAnswer> {
  const latest = new Map<string, { account_id: string; scan_id: string; completed_at: string | null }>();
  for (const s of await scansOf(tenantId)) {
    if (s.status !== "completed" || !s.accountId || latest.has(s.accountId)) continue;
    latest.set(s.accountId, { account_id: s.accountId, scan_id: s.id, completed_at: s.completedAt });
  }
  if (latest.size === 0) {
    return {
      result: "not_available",
      reason: "No cloud account scan has completed yet: there are no findings to check",
      facts: { accounts: 0 },
    };
  }
  const now = Date.now();
  const isOpen = (a: AlertItem) =>
    a.status === "open" ||
    a.status === "acknowledged" ||
    (a.status === "suppressed" && a.suppressedUntil !== null && Date.parse(a.suppressedUntil) <= now);
  const open = (await alertsOf(tenantId))
    .filter((a) => a.severity === "critical" && isOpen(a) && latest.has(a.accountId))
    .map((a) => ({
      alert_id: a.id,
      account_id: a.accountId,
      check: a.checkId,
      resource_id: a.resourceId,
      title: a.title,
      status: a.status,
      since: a.createdAt,
    }));
  const facts = { accounts: [...latest.values()], open_critical: open };
  if (open.length === 0) {
    return pass(`No open critical finding in the latest scan of ${latest.size} cloud account(s)`, facts);
  }
  const first = open[0];
  return fail(
    `${open.length} critical cloud finding(s) open: ${first?.check} on ${first?.resource_id} (account ${first?.account_id})`,
    facts,
  );
}

export function checkDescription(check: EvidenceCheckId): string {
  return EVIDENCE_CHECKS[check];
}
