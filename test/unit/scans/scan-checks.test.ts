/**
 * The scan's checks as data and its score formula, on hand-made snapshots: every table entry has a
 * function (and the reverse), each check judges what its snapshot says, and the score, risk level
 * and recommendations follow the formula written in shared/scans/score.ts.
 */
import { describe, expect, it } from "vitest";
import { DEFAULT_AUTH_POLICY, PASSWORD_PROFILES } from "#shared/identity/auth-policy.ts";
import {
  type AuthSnapshot,
  CHECKS,
  type CheckDef,
  checkFunctionIds,
  checksFor,
  componentsFor,
  type FirewallGateway,
  type FirewallSnapshot,
  keyWeakness,
  runCheck,
  type SshSnapshot,
  unexpectedPorts,
} from "#shared/scans/checks.ts";
import { nextWeekly, weekdayOf, weeklySchedule } from "#shared/scans/schedule.ts";
import { type JudgedCheck, overall, scoreComponent } from "#shared/scans/score.ts";

const NOW = new Date("2026-11-28T10:30:00Z"); // a Saturday
const def = (id: string): CheckDef => {
  const d = CHECKS.find((c) => c.id === id);
  if (!d) throw new Error(`no check ${id}`);
  return d;
};

const auth = (patch: Partial<AuthSnapshot> = {}): AuthSnapshot => ({
  policy: DEFAULT_AUTH_POLICY,
  users: [],
  apiKeys: [],
  ...patch,
});
const user = (u: Partial<AuthSnapshot["users"][number]> & { username: string }): AuthSnapshot["users"][number] => ({
  role: "viewer",
  admin: false,
  twoFactorEnabled: false,
  status: "active",
  lastLogin: NOW.toISOString(),
  createdAt: "2026-01-01T00:00:00Z",
  ...u,
});

const NO_REPORT = { listening: null, unusedRules: null, drift: null, weakKeys: null };
const gateway = (g: Partial<FirewallGateway> = {}): FirewallGateway => ({
  id: 1,
  name: "edge-1",
  enabled: true,
  defaultPolicy: "DROP",
  rules: [{ id: 7, name: "HTTPS", chain: "INPUT", action: "ACCEPT", protocol: "TCP", port: "443" }],
  sync: { firewall: { status: "applied", error: null }, ssh: { status: "applied", error: null } },
  firewallReport: NO_REPORT,
  sshReport: NO_REPORT,
  sshPort: 22,
  ...g,
});
const fleet = (gateways: FirewallGateway[], patch: Partial<FirewallSnapshot> = {}): FirewallSnapshot => ({
  enabled: true,
  defaultPolicy: "DROP",
  activeRules: 1,
  gateways,
  ...patch,
});

describe("the check table", () => {
  it("every entry has a function and every function an entry; ids are unique per component", () => {
    const ids = CHECKS.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(checkFunctionIds().sort()).toEqual([...ids].sort());
    for (const c of CHECKS) expect(c.remediation.length).toBeGreaterThan(10);
  });

  it("scan type and depth choose the checks: quick runs fewer than deep, compliance leaves network out", () => {
    const count = (t: "quick" | "full" | "compliance" | "vulnerability", d: "quick" | "standard" | "deep") =>
      (["authentication", "firewall", "certificates", "ssh", "network"] as const).reduce(
        (n, c) => n + checksFor(c, t, d).length,
        0,
      );
    expect(count("full", "quick")).toBeLessThan(count("full", "standard"));
    expect(count("full", "standard")).toBeLessThan(count("full", "deep"));
    expect(count("full", "deep")).toBe(CHECKS.length);
    expect(componentsFor("compliance", "deep", ["authentication", "network"])).toEqual(["authentication"]);
    expect(componentsFor("vulnerability", "standard", ["network"])).toEqual(["network"]);
  });
});

describe("authentication checks", () => {
  it("password_policy passes for the NIST or CIS profile and names the gaps otherwise", () => {
    const nist = auth({ policy: { ...DEFAULT_AUTH_POLICY, password_policy: { ...PASSWORD_PROFILES.nist } } });
    expect(runCheck(def("password_policy"), nist, NOW)).toMatchObject({ status: "pass", severity: "low" });
    const out = runCheck(def("password_policy"), auth(), NOW);
    expect(out).toMatchObject({ status: "warning", severity: "low" });
    expect(out?.details).toContain("min_length 8 < 15");
    expect(out?.remediation).toContain("POST /authentication/profile");
  });

  it("two_factor fails for an admin without 2FA when the policy does not enforce it, warns for users", () => {
    const optional = {
      ...DEFAULT_AUTH_POLICY,
      two_factor: { ...DEFAULT_AUTH_POLICY.two_factor, enforced_for_roles: [] },
    };
    const adminWithout = auth({
      policy: optional,
      users: [user({ username: "root-admin", role: "admin", admin: true })],
    });
    expect(runCheck(def("two_factor"), adminWithout, NOW)).toMatchObject({
      status: "fail",
      severity: "high",
      details: "2FA not enforced for administrators: root-admin",
    });
    const usersWithout = auth({
      users: [
        user({ username: "a", role: "admin", admin: true }),
        user({ username: "v1" }),
        user({ username: "v2", twoFactorEnabled: true }),
      ],
    });
    expect(runCheck(def("two_factor"), usersWithout, NOW)).toMatchObject({
      status: "warning",
      details: "2FA not enforced for all users (1 of 3 without it)",
    });
  });

  it("api_keys flags keys without expiry and unscoped keys; dormant_accounts flags 90 idle days and locks", () => {
    const keys = auth({
      apiKeys: [
        { name: "ci", status: "active", expiresAt: null, scopes: ["gateways:read"] },
        { name: "old", status: "revoked", expiresAt: null, scopes: ["*"] },
      ],
    });
    expect(runCheck(def("api_keys"), keys, NOW)).toMatchObject({
      status: "warning",
      details: "1 API key without expiry (ci)",
    });
    const idle = auth({
      users: [
        user({ username: "gone", lastLogin: "2026-01-01T00:00:00Z" }),
        user({ username: "locked", status: "locked" }),
      ],
    });
    expect(runCheck(def("dormant_accounts"), idle, NOW)?.details).toBe(
      "1 account unused for 90 days (gone); 1 locked account (locked)",
    );
  });
});

describe("firewall and network checks", () => {
  it("unused_rules: a rule is unused only when no reporting gateway counted a packet for it", () => {
    const a = gateway({ firewallReport: { ...NO_REPORT, unusedRules: [7] } });
    const b = gateway({ id: 2, name: "edge-2", firewallReport: { ...NO_REPORT, unusedRules: [] } });
    expect(runCheck(def("unused_rules"), fleet([a, b]), NOW)?.status).toBe("pass");
    expect(runCheck(def("unused_rules"), fleet([a]), NOW)?.details).toBe("1 unused firewall rule detected (HTTPS)");
    // Nobody reports counters: nothing to judge, the check is left out.
    expect(runCheck(def("unused_rules"), fleet([gateway()]), NOW)).toBeNull();
  });

  it("config_drift names drifted gateways; rules_applied names failed ones with their error", () => {
    const drifted = gateway({
      sync: { firewall: { status: "drifted", error: "warden.nft edited" }, ssh: { status: "applied", error: null } },
    });
    expect(runCheck(def("config_drift"), fleet([drifted]), NOW)).toMatchObject({
      status: "fail",
      details: "1 drifted gateway: edge-1 (firewall: warden.nft edited)",
    });
    const failed = gateway({
      sync: { firewall: { status: "failed", error: "nft: syntax error" }, ssh: { status: "applied", error: null } },
    });
    expect(runCheck(def("rules_applied"), fleet([failed]), NOW)?.details).toBe(
      "Firewall not applied on edge-1 (nft: syntax error)",
    );
  });

  it("open_ports: a listening port no ACCEPT rule covers fails with default ACCEPT, warns with DROP; SSH's port is expected", () => {
    const report = { ...NO_REPORT, listening: ["tcp:22", "tcp:443", "tcp:8081", "udp:443"] };
    const dropping = gateway({ firewallReport: report });
    expect(unexpectedPorts(dropping)).toEqual(["tcp:8081", "udp:443"]);
    expect(runCheck(def("open_ports"), fleet([dropping]), NOW)?.status).toBe("warning");
    const accepting = gateway({ defaultPolicy: "ACCEPT", firewallReport: report });
    expect(runCheck(def("open_ports"), fleet([accepting]), NOW)).toMatchObject({ status: "fail", severity: "high" });
    const ranged = gateway({
      rules: [{ id: 1, name: "range", chain: "INPUT", action: "ACCEPT", protocol: "ALL", port: "8000-9000" }],
      firewallReport: { ...NO_REPORT, listening: ["tcp:8081", "udp:8443"] },
    });
    expect(unexpectedPorts(ranged)).toEqual([]);
  });
});

describe("ssh checks", () => {
  const ssh = (patch: Partial<SshSnapshot["gateways"][number]> = {}): SshSnapshot => ({
    gateways: [
      {
        id: 1,
        name: "edge-1",
        passwordAuthentication: false,
        loginMethod: "key",
        sessionTimeout: 15,
        enabled: true,
        keys: [],
        report: NO_REPORT,
        ...patch,
      },
    ],
  });

  it("key_strength: weak keys on the device, RSA under 3072 bits and year-old keys", () => {
    expect(keyWeakness("RSA", 1024)).toBe("weak");
    expect(keyWeakness("DSA", 1024)).toBe("weak");
    expect(keyWeakness("RSA", 2048)).toBe("legacy");
    expect(keyWeakness("ED25519", 256)).toBeNull();
    const onDevice = ssh({ report: { ...NO_REPORT, weakKeys: ["RSA-1024 root"] } });
    expect(runCheck(def("key_strength"), onDevice, NOW)?.details).toBe(
      "One weak SSH key detected (1024-bit): RSA-1024 root on edge-1",
    );
    const old = ssh({
      keys: [{ username: "ops", type: "ED25519", size: 256, fingerprint: "SHA256:x", added: "2025-01-01T00:00:00Z" }],
    });
    expect(runCheck(def("key_strength"), old, NOW)).toMatchObject({
      status: "warning",
      details: "1 key older than a year (ops's ED25519 key)",
    });
    expect(runCheck(def("key_strength"), ssh(), NOW)?.status).toBe("pass");
  });

  it("password_auth fails when a gateway allows passwords; idle_timeout warns when disabled", () => {
    expect(runCheck(def("password_auth"), ssh({ loginMethod: "both" }), NOW)?.status).toBe("fail");
    expect(runCheck(def("idle_timeout"), ssh({ sessionTimeout: 0 }), NOW)?.details).toBe(
      "SSH idle timeout disabled on edge-1",
    );
  });
});

describe("score", () => {
  const judged = (
    status: "pass" | "warning" | "fail",
    severity: "low" | "medium" | "high" | "critical",
    remediation = `fix ${severity}`,
  ): JudgedCheck => ({
    check: `${status}-${severity}`,
    status,
    details: "",
    severity,
    remediation: status === "pass" ? null : remediation,
    tableSeverity: severity,
  });

  it("component score = 100 × (1 − penalty / weight); a warning costs half", () => {
    // weights 1 + 3 + 6 = 10; penalties: medium warning 1.5 → 85
    expect(scoreComponent([judged("pass", "low"), judged("warning", "medium"), judged("pass", "high")])).toEqual({
      status: "warning",
      score: 85,
      issues: 1,
      weight: 10,
    });
    expect(scoreComponent([judged("fail", "high")])).toMatchObject({ status: "fail", score: 0 });
    expect(scoreComponent([])).toMatchObject({ status: "pass", score: 100 });
  });

  it("overall: weighted by the components' weights; risk from the gravest failure; recommendations gravest first", () => {
    const a = [judged("pass", "high"), judged("warning", "low", "low fix")];
    const b = [judged("fail", "medium", "medium fix")];
    const out = overall([
      { score: scoreComponent(a), checks: a },
      { score: scoreComponent(b), checks: b },
    ]);
    // a: weight 7, penalty 0.5 → 93; b: weight 3, score 0 → (93×7 + 0×3) / 10 = 65.1
    expect(out.securityScore).toBe(65);
    expect(out.riskLevel).toBe("medium");
    expect(out.totalIssues).toBe(2);
    expect(out.recommendations).toEqual(["medium fix", "low fix"]);
    const critical = [judged("fail", "critical")];
    expect(overall([{ score: scoreComponent(critical), checks: critical }]).riskLevel).toBe("critical");
  });
});

describe("weekly schedule", () => {
  it("runs at 02:00 UTC on the weekday it was made, strictly after now", () => {
    const s = weeklySchedule(NOW);
    expect(s.expression).toBe("cron(0 2 ? * SAT *)");
    expect(s.nextRun.toISOString()).toBe("2026-12-05T02:00:00.000Z");
    expect(weekdayOf(s.expression)).toBe(6);
    expect(nextWeekly(new Date("2026-11-28T01:00:00Z"), 6).toISOString()).toBe("2026-11-28T02:00:00.000Z");
    expect(nextWeekly(new Date("2026-11-28T10:00:00Z"), 1).toISOString()).toBe("2026-11-30T02:00:00.000Z");
  });
});
