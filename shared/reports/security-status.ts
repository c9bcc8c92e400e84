/**
 * The security overview (gateway "Get Security Status"), computed from the tenant's real state.
 * Nothing here is a placeholder number: a component Warden cannot see reports
 * `{status: "not_configured", health: "unknown"}`.
 *
 * Score: 100 minus the penalty of each issue found (authentication policy, two-factor coverage,
 * locked accounts, API-key hygiene, firewall disabled, SSH password login). Level: ≥ 85 "secure",
 * ≥ 60 "warning", below "critical". SSH "restricted" means key-only login.
 */

import { readAudit } from "#shared/audit/trail.ts";
import { isLocked } from "#shared/identity/account-status.ts";
import { listApiKeys } from "#shared/identity/api-keys.ts";
import { resolveAuthPolicy } from "#shared/identity/auth-policy.ts";
import { authPolicyKey } from "#shared/identity/db/auth-policy.ts";
import { listUsers } from "#shared/identity/db/users.ts";
import { getItem } from "#shared/table/repo.ts";

export interface Issue {
  component: "authentication" | "firewall" | "ssh";
  penalty: number;
  recommendation: string;
}

export type Level = "secure" | "warning" | "critical";
const levelOf = (score: number): Level => (score >= 85 ? "secure" : score >= 60 ? "warning" : "critical");
const healthOf = (penalty: number) => (penalty === 0 ? "good" : penalty <= 15 ? "warning" : "critical");
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** Optional summaries from other areas; absent ones are reported as not configured. */
export interface ComponentSources {
  firewall?: (tenantId: string) => Promise<{ enabled: boolean; rules_active: number }>;
  ssh?: (tenantId: string) => Promise<{ enabled: boolean; password_authentication: boolean; active_sessions: number }>;
}

export async function securityStatus(tenantId: string, sources: ComponentSources = {}, now = new Date()) {
  const [policyItem, users, apiKeys, events, firewall, ssh] = await Promise.all([
    getItem(authPolicyKey(tenantId)),
    listUsers(tenantId),
    listApiKeys(tenantId),
    readAudit(tenantId, new Date(now.getTime() - 86_400_000), now),
    sources.firewall?.(tenantId),
    sources.ssh?.(tenantId),
  ]);
  const policy = resolveAuthPolicy(policyItem);
  const issues: Issue[] = [];
  const auth = (penalty: number, recommendation: string) =>
    issues.push({ component: "authentication", penalty, recommendation });

  const active = users.filter((u) => u.status !== "inactive");
  const withTwoFactor = active.filter((u) => u.twoFactorEnabled).length;
  const coverage = active.length ? withTwoFactor / active.length : 1;
  const locked = users.filter((u) => isLocked(u, now.getTime())).length;
  if (policy.two_factor.mode === "disabled") auth(15, "Enable two-factor authentication (mode optional or required)");
  if (coverage < 1) auth(Math.max(1, Math.round(15 * (1 - coverage))), "Enable 2FA for all users");
  if (policy.password_policy.min_length < 8) auth(10, "Require passwords of at least 8 characters");
  if (policy.account_protection.lockout_attempts > 10)
    auth(5, "Lock accounts after at most 10 failed sign-in attempts");
  if (!policy.brute_force_protection.enabled) auth(10, "Enable brute-force protection");
  if (locked > 0) auth(5, `Review ${plural(locked, "locked account")}`);
  const liveKeys = apiKeys.filter((k) => k.status === "active");
  const neverExpire = liveKeys.filter((k) => k.expiresAt === null).length;
  const fullAccess = liveKeys.filter((k) => k.scopes.includes("*")).length;
  if (neverExpire > 0)
    auth(5, `Set an expiry on ${plural(neverExpire, "API key")} that never expire${neverExpire === 1 ? "s" : ""}`);
  if (fullAccess > 0) auth(5, `Narrow the scope of ${plural(fullAccess, "API key")} with full access ('*')`);

  if (firewall && !firewall.enabled) {
    issues.push({ component: "firewall", penalty: 10, recommendation: "Enable the gateway firewall" });
  }
  if (ssh?.enabled && ssh.password_authentication) {
    issues.push({ component: "ssh", penalty: 5, recommendation: "Disable SSH password authentication (keys only)" });
  }
  const penaltyOf = (c: Issue["component"]) =>
    issues.filter((i) => i.component === c).reduce((s, i) => s + i.penalty, 0);
  const authPenalty = penaltyOf("authentication");
  const score = Math.max(0, 100 - issues.reduce((s, i) => s + i.penalty, 0));
  const notConfigured = { status: "not_configured", health: "unknown" } as const;
  return {
    security_level: levelOf(score),
    security_score: score,
    // Gateway configuration scans do not exist yet.
    last_scan: null,
    issues_found: issues.length,
    recommendations: issues.map((i) => i.recommendation),
    components: {
      authentication: {
        status: "enabled",
        health: healthOf(authPenalty),
        issues: issues.filter((i) => i.component === "authentication").length,
        users_total: users.length,
        users_locked: locked,
        two_factor_mode: policy.two_factor.mode,
        two_factor_coverage: Math.round(coverage * 100),
        api_keys_active: liveKeys.length,
      },
      // The tenant's desired firewall and SSH configuration (what its gateways are given).
      firewall: firewall
        ? {
            status: firewall.enabled ? "active" : "disabled",
            health: healthOf(penaltyOf("firewall")),
            rules_active: firewall.rules_active,
          }
        : notConfigured,
      ssh: ssh
        ? {
            status: !ssh.enabled ? "disabled" : ssh.password_authentication ? "enabled" : "restricted",
            health: healthOf(penaltyOf("ssh")),
            active_sessions: ssh.active_sessions,
          }
        : notConfigured,
      // Certificate management is not built yet.
      certificates: notConfigured,
      audit: {
        status: "enabled",
        health: "good",
        events_24h: events.length,
      },
    },
  };
}
