/**
 * The checks of a gateway security scan, as data: one table (`CHECKS`: id, component, title,
 * severity, remediation, which scan types and from which depth it runs) and one pure function per
 * check over the component's snapshot (snapshot.ts gathers it). A new check is one entry here and
 * one function in `RUN`; nothing else changes.
 *
 * A function answers `pass`, `warning` or `fail` with a one-line `details` naming what it found
 * (counts, gateways, ports, keys), or `null` when it has nothing to judge (e.g. no gateway reports
 * rule counters yet): such a check is left out of the results rather than passed.
 */
import type { AuthPolicy } from "#shared/identity/auth-policy.ts";

export const COMPONENTS = ["authentication", "firewall", "certificates", "ssh", "network"] as const;
export type Component = (typeof COMPONENTS)[number];

export const SCAN_TYPES = ["quick", "full", "compliance", "vulnerability"] as const;
export type ScanType = (typeof SCAN_TYPES)[number];

export const DEPTHS = ["quick", "standard", "deep"] as const;
export type Depth = (typeof DEPTHS)[number];

export const SEVERITIES = ["low", "medium", "high", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

export type CheckStatus = "pass" | "warning" | "fail";

export interface CheckDef {
  id: string;
  component: Component;
  title: string;
  /** How bad a failed check is; a warning is one level lower (never below low). */
  severity: Severity;
  /** What to do about it: the scan's recommendations are these texts. */
  remediation: string;
  /** The scan types that run it (`full` runs every check). */
  scanTypes: readonly ScanType[];
  /** The shallowest depth that runs it: quick < standard < deep. */
  depth: Depth;
}

const ALL: readonly ScanType[] = ["quick", "full", "compliance", "vulnerability"];
const COMPLIANCE: readonly ScanType[] = ["full", "compliance"];
const VULNERABILITY: readonly ScanType[] = ["full", "vulnerability"];
const BOTH: readonly ScanType[] = ["full", "compliance", "vulnerability"];

export const CHECKS: readonly CheckDef[] = [
  // authentication
  {
    id: "password_policy",
    component: "authentication",
    title: "Password policy against the NIST SP 800-63B and CIS profiles",
    severity: "medium",
    remediation: "Apply the NIST or CIS password profile (POST /authentication/profile)",
    scanTypes: ALL,
    depth: "quick",
  },
  {
    id: "session_security",
    component: "authentication",
    title: "Login session timeouts and cookie flags",
    severity: "medium",
    remediation: "Set session timeouts to 30 minutes or less and keep secure, HTTP-only cookies",
    scanTypes: ALL,
    depth: "quick",
  },
  {
    id: "two_factor",
    component: "authentication",
    title: "2FA coverage of administrators and users",
    severity: "high",
    remediation: "Enable 2FA for all users",
    scanTypes: ALL,
    depth: "quick",
  },
  {
    id: "account_lockout",
    component: "authentication",
    title: "Account lockout and brute-force protection",
    severity: "medium",
    remediation: "Lock accounts after at most 10 failed attempts and keep brute-force protection on",
    scanTypes: COMPLIANCE,
    depth: "quick",
  },
  {
    id: "api_keys",
    component: "authentication",
    title: "API keys without expiry or with unrestricted scope",
    severity: "medium",
    remediation: "Give every API key an expiry and only the scopes it needs",
    scanTypes: BOTH,
    depth: "standard",
  },
  {
    id: "dormant_accounts",
    component: "authentication",
    title: "Locked and dormant accounts",
    severity: "low",
    remediation: "Deactivate accounts unused for 90 days and review locked accounts",
    scanTypes: COMPLIANCE,
    depth: "deep",
  },
  // firewall
  {
    id: "rules_active",
    component: "firewall",
    title: "Firewall enabled with active rules",
    severity: "high",
    remediation: "Enable the firewall and add rules for the services the gateways offer",
    scanTypes: ALL,
    depth: "quick",
  },
  {
    id: "default_deny",
    component: "firewall",
    title: "Default policy denies inbound traffic",
    severity: "medium",
    remediation: "Set firewall default policy to DROP",
    scanTypes: ALL,
    depth: "quick",
  },
  {
    id: "rules_applied",
    component: "firewall",
    title: "Every gateway applied the firewall configuration",
    severity: "high",
    remediation:
      "Resync the gateways that did not apply the firewall (POST /gateways/{id}/resync) and fix the errors they report",
    scanTypes: ALL,
    depth: "standard",
  },
  {
    id: "config_drift",
    component: "firewall",
    title: "Gateways running a configuration the cloud did not send",
    severity: "high",
    remediation: "Investigate drifted gateways (local edits) and resync them",
    scanTypes: BOTH,
    depth: "standard",
  },
  {
    id: "unused_rules",
    component: "firewall",
    title: "Rules no packet matched on any gateway (nft counters)",
    severity: "low",
    remediation: "Remove or disable firewall rules that never match",
    scanTypes: COMPLIANCE,
    depth: "deep",
  },
  // certificates
  {
    id: "https_certificate",
    component: "certificates",
    title: "HTTPS certificate: expiry, key size, signature, self-signed on a public name",
    severity: "high",
    remediation: "Renew the HTTPS certificate (POST /certificates/renew) with a CA-signed, SHA-256, 2048-bit+ key",
    scanTypes: ALL,
    depth: "quick",
  },
  {
    id: "mqtt_certificate",
    component: "certificates",
    title: "MQTT certificate: expiry, key size, signature, self-signed on a public name",
    severity: "high",
    remediation: "Renew MQTT certificate (POST /certificates/renew with certificate_type mqtt)",
    scanTypes: ALL,
    depth: "quick",
  },
  // ssh
  {
    id: "password_auth",
    component: "ssh",
    title: "SSH password authentication",
    severity: "high",
    remediation: "Disable SSH password authentication (login_method: key)",
    scanTypes: ALL,
    depth: "quick",
  },
  {
    id: "root_login",
    component: "ssh",
    title: "SSH root login",
    severity: "critical",
    remediation: "Remove keys installed for root and log in as a named user",
    scanTypes: ALL,
    depth: "quick",
  },
  {
    id: "key_strength",
    component: "ssh",
    title: "Weak or old SSH keys (cloud-managed and found on the gateways)",
    severity: "medium",
    remediation: "Replace weak SSH keys",
    scanTypes: BOTH,
    depth: "standard",
  },
  {
    id: "idle_timeout",
    component: "ssh",
    title: "SSH idle timeout",
    severity: "low",
    remediation: "Set an SSH session timeout of 30 minutes or less",
    scanTypes: COMPLIANCE,
    depth: "quick",
  },
  // network
  {
    id: "open_ports",
    component: "network",
    title: "Listening ports the gateways report against the ports the firewall allows",
    severity: "high",
    remediation: "Close the services listening on ports the firewall does not allow, or allow them explicitly",
    scanTypes: VULNERABILITY,
    depth: "standard",
  },
  {
    id: "ports_reported",
    component: "network",
    title: "Every gateway reports its listening ports",
    severity: "low",
    remediation: "Upgrade the edge handler on gateways that report no listening ports (edge 0.3.0 or newer)",
    scanTypes: VULNERABILITY,
    depth: "standard",
  },
];

const DEPTH_RANK: Record<Depth, number> = { quick: 0, standard: 1, deep: 2 };

/** The checks a scan of this type and depth runs for `component`. */
export function checksFor(component: Component, scanType: ScanType, depth: Depth): CheckDef[] {
  return CHECKS.filter(
    (c) =>
      c.component === component &&
      (scanType === "full" || c.scanTypes.includes(scanType)) &&
      DEPTH_RANK[c.depth] <= DEPTH_RANK[depth],
  );
}

/** The components that have at least one check for this scan type and depth, in scan order. */
export function componentsFor(scanType: ScanType, depth: Depth, wanted: readonly Component[]): Component[] {
  return COMPONENTS.filter((c) => wanted.includes(c) && checksFor(c, scanType, depth).length > 0);
}

// ── snapshots: what the checks judge (snapshot.ts gathers them) ─────────────────────────────────

export interface AuthSnapshot {
  policy: AuthPolicy;
  users: {
    username: string;
    role: string;
    admin: boolean;
    twoFactorEnabled: boolean;
    status: "active" | "inactive" | "locked";
    lastLogin: string | null;
    createdAt: string;
  }[];
  apiKeys: { name: string; status: "active" | "expired" | "revoked"; expiresAt: string | null; scopes: string[] }[];
}

/** What one gateway reports beyond its applied version (edge contract, reported state). */
export interface GatewayReport {
  /** `proto:port` of every socket listening on a non-loopback address; null when the gateway reports none. */
  listening: string[] | null;
  /** Ids of rules whose nft counter is zero; null when the gateway reports no counters. */
  unusedRules: number[] | null;
  /** Set when the gateway finds its live files differ from what it applied (a local edit). */
  drift: string | null;
  /** Keys in the gateway's authorized_keys that are weak (`RSA-1024 SHA256:… user`). */
  weakKeys: string[] | null;
}

export interface SyncView {
  status: "pending" | "applied" | "failed" | "drifted";
  error: string | null;
}

export interface FirewallGateway {
  id: number;
  name: string;
  enabled: boolean;
  defaultPolicy: "ACCEPT" | "DROP" | "REJECT";
  /** Enabled rules in effect on the gateway. */
  rules: { id: number; name: string; chain: string; action: string; protocol: string; port?: string }[];
  sync: { firewall: SyncView; ssh: SyncView };
  firewallReport: GatewayReport;
  sshReport: GatewayReport;
  sshPort: number;
}

export interface FirewallSnapshot {
  /** The tenant-wide settings (what a gateway without overrides runs). */
  enabled: boolean;
  defaultPolicy: "ACCEPT" | "DROP" | "REJECT";
  activeRules: number;
  gateways: FirewallGateway[];
}

export interface CertificateSlotView {
  present: boolean;
  state: "valid" | "expiring" | "expired" | "missing";
  daysRemaining: number | null;
  keyAlgorithm: string | null;
  keySize: number | null;
  signatureAlgorithm: string | null;
  selfSigned: boolean;
  names: string[];
}

export interface CertificatesSnapshot {
  gateways: { id: number; name: string; https: CertificateSlotView; mqtt: CertificateSlotView }[];
}

export interface SshGateway {
  id: number;
  name: string;
  passwordAuthentication: boolean;
  loginMethod: string;
  sessionTimeout: number;
  enabled: boolean;
  keys: { username: string; type: string; size: number; fingerprint: string; added: string }[];
  report: GatewayReport;
}

export interface SshSnapshot {
  gateways: SshGateway[];
}

export type NetworkSnapshot = FirewallSnapshot;

export interface Snapshots {
  authentication: AuthSnapshot;
  firewall: FirewallSnapshot;
  certificates: CertificatesSnapshot;
  ssh: SshSnapshot;
  network: NetworkSnapshot;
}

export interface Verdict {
  status: CheckStatus;
  details: string;
}

type CheckFn<C extends Component> = (s: Snapshots[C], now: Date) => Verdict | null;

const pass = (details: string): Verdict => ({ status: "pass", details });
const warning = (details: string): Verdict => ({ status: "warning", details });
const fail = (details: string): Verdict => ({ status: "fail", details });
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const list = (xs: readonly (string | number)[], max = 5) =>
  xs.length <= max ? xs.join(", ") : `${xs.slice(0, max).join(", ")} and ${xs.length - max} more`;
const DAY_MS = 86_400_000;

// ── authentication ───────────────────────────────────────────────────────────────────────────

/** Where the password policy falls short of a profile (empty: it meets it). */
export function policyGaps(p: AuthPolicy["password_policy"], profile: "nist" | "cis"): string[] {
  const gaps: string[] = [];
  if (profile === "nist") {
    if (p.min_length < 15) gaps.push(`min_length ${p.min_length} < 15`);
    if (p.max_length < 64) gaps.push(`max_length ${p.max_length} < 64`);
    if (!p.prevent_common) gaps.push("common passwords allowed");
    if (p.expiry_days > 0) gaps.push(`periodic expiry (${p.expiry_days} days)`);
  } else {
    if (p.min_length < 14) gaps.push(`min_length ${p.min_length} < 14`);
    if (!(p.require_uppercase && p.require_lowercase && p.require_numbers && p.require_special_chars))
      gaps.push("not all four character classes required");
    if (p.history_size < 24) gaps.push(`history_size ${p.history_size} < 24`);
    if (p.expiry_days === 0 || p.expiry_days > 365) gaps.push("no expiry within a year");
  }
  return gaps;
}

const passwordPolicy: CheckFn<"authentication"> = (s) => {
  const nist = policyGaps(s.policy.password_policy, "nist");
  const cis = policyGaps(s.policy.password_policy, "cis");
  if (nist.length === 0 || cis.length === 0) {
    return pass(
      `Password policy compliant (${[nist.length === 0 && "NIST", cis.length === 0 && "CIS"].filter(Boolean).join(", ")})`,
    );
  }
  const p = s.policy.password_policy;
  const weak = p.min_length < 8 || !p.prevent_common;
  const text = `Password policy meets neither NIST (${nist.join("; ")}) nor CIS (${cis.join("; ")})`;
  return weak ? fail(text) : warning(text);
};

const sessionSecurity: CheckFn<"authentication"> = (s) => {
  const ss = s.policy.session_settings;
  const gaps: string[] = [];
  if (ss.timeout_minutes > 30) gaps.push(`session timeout ${ss.timeout_minutes} min > 30`);
  if (ss.idle_timeout > 30) gaps.push(`idle timeout ${ss.idle_timeout} min > 30`);
  if (!ss.secure_cookies) gaps.push("cookies not secure");
  if (!ss.http_only_cookies) gaps.push("cookies not HTTP-only");
  if (ss.max_concurrent_sessions > 5) gaps.push(`${ss.max_concurrent_sessions} concurrent sessions allowed`);
  if (gaps.length === 0) return pass("Session timeout properly configured");
  return (ss.secure_cookies && ss.http_only_cookies ? warning : fail)(gaps.join("; "));
};

const twoFactor: CheckFn<"authentication"> = (s) => {
  const tf = s.policy.two_factor;
  const covered = (u: AuthSnapshot["users"][number]) =>
    u.twoFactorEnabled || tf.mode === "required" || (tf.mode !== "disabled" && tf.enforced_for_roles.includes(u.role));
  const live = s.users.filter((u) => u.status !== "inactive");
  const admins = live.filter((u) => u.admin);
  const adminsWithout = admins.filter((u) => !covered(u)).map((u) => u.username);
  const usersWithout = live.filter((u) => !covered(u));
  if (tf.mode === "disabled") return fail("2FA is disabled for the organization");
  if (adminsWithout.length > 0) return fail(`2FA not enforced for administrators: ${list(adminsWithout)}`);
  if (usersWithout.length > 0) {
    return warning(`2FA not enforced for all users (${usersWithout.length} of ${live.length} without it)`);
  }
  return pass(`2FA enforced for all ${plural(live.length, "user")}`);
};

const accountLockout: CheckFn<"authentication"> = (s) => {
  const ap = s.policy.account_protection;
  const bf = s.policy.brute_force_protection;
  const gaps: string[] = [];
  if (ap.lockout_attempts === 0 || ap.lockout_attempts > 10) gaps.push(`lockout after ${ap.lockout_attempts} attempts`);
  if (!bf.enabled) gaps.push("brute-force protection off");
  if (gaps.length === 0) return pass(`Accounts lock after ${ap.lockout_attempts} failed attempts`);
  return (bf.enabled ? warning : fail)(gaps.join("; "));
};

const apiKeys: CheckFn<"authentication"> = (s) => {
  const active = s.apiKeys.filter((k) => k.status === "active");
  const noExpiry = active.filter((k) => k.expiresAt === null).map((k) => k.name);
  const unscoped = active.filter((k) => k.scopes.length === 0 || k.scopes.includes("*")).map((k) => k.name);
  if (noExpiry.length === 0 && unscoped.length === 0)
    return pass(`${plural(active.length, "active API key")}, all scoped and expiring`);
  const parts = [
    noExpiry.length > 0 && `${plural(noExpiry.length, "API key")} without expiry (${list(noExpiry)})`,
    unscoped.length > 0 && `${plural(unscoped.length, "API key")} with unrestricted scope (${list(unscoped)})`,
  ].filter(Boolean);
  return (unscoped.length > 0 ? fail : warning)(parts.join("; "));
};

const dormantAccounts: CheckFn<"authentication"> = (s, now) => {
  const cutoff = now.getTime() - 90 * DAY_MS;
  const dormant = s.users
    .filter((u) => u.status === "active" && Date.parse(u.lastLogin ?? u.createdAt) < cutoff)
    .map((u) => u.username);
  const locked = s.users.filter((u) => u.status === "locked").map((u) => u.username);
  if (dormant.length === 0 && locked.length === 0) return pass("No locked or dormant accounts");
  const parts = [
    dormant.length > 0 && `${plural(dormant.length, "account")} unused for 90 days (${list(dormant)})`,
    locked.length > 0 && `${plural(locked.length, "locked account")} (${list(locked)})`,
  ].filter(Boolean);
  return warning(parts.join("; "));
};

// ── firewall ─────────────────────────────────────────────────────────────────────────────────

const rulesActive: CheckFn<"firewall"> = (s) => {
  if (!s.enabled) return fail("Firewall disabled");
  const off = s.gateways.filter((g) => !g.enabled).map((g) => g.name);
  if (off.length > 0) return fail(`Firewall disabled on ${list(off)}`);
  if (s.activeRules === 0) return warning("Firewall enabled but no rule is active");
  return pass(`Firewall rules active and loaded (${plural(s.activeRules, "rule")})`);
};

const defaultDeny: CheckFn<"firewall"> = (s) => {
  const open = s.gateways.filter((g) => g.defaultPolicy === "ACCEPT").map((g) => g.name);
  if (s.defaultPolicy !== "ACCEPT" && open.length === 0) return pass(`Default policy ${s.defaultPolicy}`);
  if (s.defaultPolicy === "ACCEPT") return warning("Default policy not set to deny");
  return warning(`Default policy ACCEPT on ${list(open)}`);
};

const rulesApplied: CheckFn<"firewall"> = (s) => {
  if (s.gateways.length === 0) return null;
  const failed = s.gateways.filter((g) => g.sync.firewall.status === "failed");
  const pending = s.gateways.filter((g) => g.sync.firewall.status === "pending").map((g) => g.name);
  if (failed.length > 0) {
    return fail(
      `Firewall not applied on ${list(failed.map((g) => `${g.name} (${g.sync.firewall.error ?? "failed"})`))}`,
    );
  }
  if (pending.length > 0) return warning(`Firewall configuration not yet applied on ${list(pending)}`);
  return pass(`Firewall configuration applied on all ${plural(s.gateways.length, "gateway")}`);
};

const configDrift: CheckFn<"firewall"> = (s) => {
  if (s.gateways.length === 0) return null;
  const drifted = s.gateways.flatMap((g) => {
    const why = [
      g.sync.firewall.status === "drifted" && `firewall: ${g.sync.firewall.error ?? "drifted"}`,
      g.sync.ssh.status === "drifted" && `ssh: ${g.sync.ssh.error ?? "drifted"}`,
    ].filter(Boolean);
    return why.length > 0 ? [`${g.name} (${why.join("; ")})`] : [];
  });
  if (drifted.length > 0) return fail(`${plural(drifted.length, "drifted gateway")}: ${list(drifted, 3)}`);
  return pass("No gateway drifted from its configuration");
};

const unusedRules: CheckFn<"firewall"> = (s) => {
  const reporting = s.gateways.filter((g) => g.firewallReport.unusedRules !== null);
  if (reporting.length === 0) return null;
  // A rule is unused when no reporting gateway that runs it counted a packet for it.
  const used = new Set<number>();
  const seen = new Map<number, string>();
  for (const g of reporting) {
    const zero = new Set(g.firewallReport.unusedRules ?? []);
    for (const r of g.rules) {
      seen.set(r.id, r.name);
      if (!zero.has(r.id)) used.add(r.id);
    }
  }
  const unused = [...seen.entries()].filter(([id]) => !used.has(id)).map(([, name]) => name);
  if (unused.length === 0)
    return pass(`Every rule matched traffic (${plural(reporting.length, "gateway")} reporting counters)`);
  return warning(`${plural(unused.length, "unused firewall rule")} detected (${list(unused)})`);
};

// ── certificates ─────────────────────────────────────────────────────────────────────────────

/** A name a public CA could certify (not a private or local one). */
const PUBLIC_NAME = /^(?!.*\.(local|lan|internal|home|localdomain|test|example|invalid)$)([a-z0-9-]+\.)+[a-z]{2,}$/i;

function slotCheck(slot: "https" | "mqtt", label: string): CheckFn<"certificates"> {
  return (s) => {
    if (s.gateways.length === 0) return null;
    const problems: { text: string; bad: boolean }[] = [];
    for (const g of s.gateways) {
      const c = g[slot];
      const on = s.gateways.length > 1 ? ` on ${g.name}` : "";
      if (!c.present) {
        problems.push({ text: `no ${label} certificate${on}`, bad: false });
        continue;
      }
      if (c.state === "expired") problems.push({ text: `${label} certificate expired${on}`, bad: true });
      else if (c.state === "expiring")
        problems.push({ text: `${label} certificate expires in ${c.daysRemaining} days${on}`, bad: false });
      if (c.keyAlgorithm === "RSA" && (c.keySize ?? 0) < 2048)
        problems.push({ text: `${c.keySize}-bit RSA key${on}`, bad: true });
      if (c.keyAlgorithm === "EC" && (c.keySize ?? 0) < 256)
        problems.push({ text: `${c.keySize}-bit EC key${on}`, bad: true });
      if (c.signatureAlgorithm && /sha1|md5/i.test(c.signatureAlgorithm))
        problems.push({ text: `signed with ${c.signatureAlgorithm}${on}`, bad: true });
      const publicNames = c.names.filter((n) => PUBLIC_NAME.test(n));
      if (c.selfSigned && publicNames.length > 0)
        problems.push({ text: `self-signed for public name ${publicNames[0]}${on}`, bad: false });
    }
    if (problems.length === 0) return pass(`${label} certificate valid`);
    const text = problems.map((p) => p.text).join("; ");
    return problems.some((p) => p.bad) ? fail(text) : warning(text.charAt(0).toUpperCase() + text.slice(1));
  };
}

// ── ssh ──────────────────────────────────────────────────────────────────────────────────────

const passwordAuth: CheckFn<"ssh"> = (s) => {
  if (s.gateways.length === 0) return null;
  const on = s.gateways.filter((g) => g.enabled && (g.passwordAuthentication || g.loginMethod !== "key"));
  if (on.length === 0) return pass("Password authentication disabled");
  return fail(`Password authentication enabled on ${list(on.map((g) => g.name))}`);
};

const rootLogin: CheckFn<"ssh"> = (s) => {
  if (s.gateways.length === 0) return null;
  // Warden renders `PermitRootLogin no` on every gateway; a key installed for root is still a way in
  // once someone edits sshd_config (drift), so it is reported.
  const rootKeys = s.gateways.filter((g) => g.keys.some((k) => k.username === "root")).map((g) => g.name);
  if (rootKeys.length > 0) return warning(`Root login disabled, but keys are installed for root on ${list(rootKeys)}`);
  return pass("Root login disabled");
};

/** A key's weakness, or null: DSA, RSA below 2048 bits (weak) or below 3072 (legacy). */
export function keyWeakness(type: string, size: number): "weak" | "legacy" | null {
  if (type === "DSA") return "weak";
  if (type === "RSA" && size < 2048) return "weak";
  if (type === "RSA" && size < 3072) return "legacy";
  return null;
}

const keyStrength: CheckFn<"ssh"> = (s, now) => {
  if (s.gateways.length === 0) return null;
  const weak = new Set<string>();
  const legacy = new Set<string>();
  const old = new Set<string>();
  for (const g of s.gateways) {
    for (const k of g.keys) {
      const w = keyWeakness(k.type, k.size);
      const label = `${k.username}'s ${k.type}-${k.size}`;
      if (w === "weak") weak.add(label);
      if (w === "legacy") legacy.add(label);
      if (now.getTime() - Date.parse(k.added) > 365 * DAY_MS) old.add(`${k.username}'s ${k.type} key`);
    }
    for (const line of g.report.weakKeys ?? []) weak.add(`${line} on ${g.name}`);
  }
  if (weak.size > 0) {
    const sizes = [...weak].map((k) => /-(\d+)/.exec(k)?.[1]).filter(Boolean);
    const what =
      weak.size === 1
        ? `One weak SSH key detected${sizes[0] ? ` (${sizes[0]}-bit)` : ""}`
        : `${weak.size} weak SSH keys detected`;
    return warning(`${what}: ${list([...weak], 3)}`);
  }
  if (legacy.size > 0 || old.size > 0) {
    const parts = [
      legacy.size > 0 && `${plural(legacy.size, "RSA key")} under 3072 bits (${list([...legacy], 3)})`,
      old.size > 0 && `${plural(old.size, "key")} older than a year (${list([...old], 3)})`,
    ].filter(Boolean);
    return warning(parts.join("; "));
  }
  return pass("All SSH keys strong and current");
};

const idleTimeout: CheckFn<"ssh"> = (s) => {
  if (s.gateways.length === 0) return null;
  const loose = s.gateways.filter((g) => g.sessionTimeout === 0 || g.sessionTimeout > 30);
  if (loose.length === 0) return pass("Idle SSH sessions time out within 30 minutes");
  return warning(
    `SSH idle timeout ${loose[0]?.sessionTimeout === 0 ? "disabled" : `${loose[0]?.sessionTimeout} min`} on ${list(loose.map((g) => g.name))}`,
  );
};

// ── network ──────────────────────────────────────────────────────────────────────────────────

/** Does an INPUT ACCEPT rule let `proto:port` in? */
function allowedBy(rules: FirewallGateway["rules"], proto: string, port: number): boolean {
  return rules.some((r) => {
    if (r.chain !== "INPUT" || r.action !== "ACCEPT") return false;
    if (r.protocol !== "ALL" && r.protocol.toLowerCase() !== proto) return false;
    if (r.port === undefined) return true;
    const [lo, hi = lo] = r.port.split("-").map(Number);
    return lo !== undefined && hi !== undefined && port >= lo && port <= hi;
  });
}

/** The ports each gateway listens on that its firewall does not allow (`tcp:8081`). */
export function unexpectedPorts(g: FirewallGateway): string[] {
  return (g.firewallReport.listening ?? []).filter((entry) => {
    const [proto = "", portText = ""] = entry.split(":");
    const port = Number(portText);
    if (proto === "tcp" && port === g.sshPort) return false;
    return !allowedBy(g.rules, proto, port);
  });
}

const openPorts: CheckFn<"network"> = (s) => {
  const reporting = s.gateways.filter((g) => g.firewallReport.listening !== null);
  if (reporting.length === 0) return null;
  const exposed: string[] = [];
  const shielded: string[] = [];
  for (const g of reporting) {
    const extra = unexpectedPorts(g);
    if (extra.length === 0) continue;
    // With default ACCEPT a listening port no rule mentions is reachable; with DROP it is only an
    // unneeded service (still worth closing).
    (g.defaultPolicy === "ACCEPT" ? exposed : shielded).push(`${g.name}: ${list(extra, 8)}`);
  }
  if (exposed.length > 0) return fail(`Ports open to the network without a firewall rule: ${exposed.join("; ")}`);
  if (shielded.length > 0) return warning(`Services listening on ports the firewall blocks: ${shielded.join("; ")}`);
  return pass("Only necessary ports open");
};

const portsReported: CheckFn<"network"> = (s) => {
  if (s.gateways.length === 0) return null;
  const silent = s.gateways.filter((g) => g.firewallReport.listening === null).map((g) => g.name);
  if (silent.length === 0) return pass(`All ${plural(s.gateways.length, "gateway")} report their listening ports`);
  return warning(`No listening ports reported by ${list(silent)}`);
};

/** One function per check id (the table above says when each runs). */
const RUN: { [C in Component]: Record<string, CheckFn<C>> } = {
  authentication: {
    password_policy: passwordPolicy,
    session_security: sessionSecurity,
    two_factor: twoFactor,
    account_lockout: accountLockout,
    api_keys: apiKeys,
    dormant_accounts: dormantAccounts,
  },
  firewall: {
    rules_active: rulesActive,
    default_deny: defaultDeny,
    rules_applied: rulesApplied,
    config_drift: configDrift,
    unused_rules: unusedRules,
  },
  certificates: { https_certificate: slotCheck("https", "HTTPS"), mqtt_certificate: slotCheck("mqtt", "MQTT") },
  ssh: { password_auth: passwordAuth, root_login: rootLogin, key_strength: keyStrength, idle_timeout: idleTimeout },
  network: { open_ports: openPorts, ports_reported: portsReported },
};

export interface CheckOutcome {
  check: string;
  status: CheckStatus;
  details: string;
  severity: Severity;
  remediation: string | null;
}

const LOWER: Record<Severity, Severity> = { low: "low", medium: "low", high: "medium", critical: "high" };

/**
 * Runs one check. The severity answered is the risk the finding carries: the check's severity for
 * a failure, one level lower for a warning, low for a pass.
 */
export function runCheck<C extends Component>(def: CheckDef, snapshot: Snapshots[C], now: Date): CheckOutcome | null {
  const fn = (RUN[def.component as C] as Record<string, CheckFn<C>>)[def.id];
  if (!fn) throw new Error(`check ${def.id} has no function`);
  const v = fn(snapshot, now);
  if (!v) return null;
  const severity = v.status === "fail" ? def.severity : v.status === "warning" ? LOWER[def.severity] : "low";
  return {
    check: def.id,
    status: v.status,
    details: v.details,
    severity,
    remediation: v.status === "pass" ? null : def.remediation,
  };
}

/** Every entry of the table has a function and every function an entry (a unit test holds this). */
export const checkFunctionIds = (): string[] => Object.values(RUN).flatMap((r) => Object.keys(r));
