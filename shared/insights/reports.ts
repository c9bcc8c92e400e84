/**
 * `summary`, `threat-analysis` and `recommendations` (securenet `/api/insights/*`), each written
 * from the same findings (findings.ts, which documents the rules) — every item cites its
 * finding's evidence; with no records the answers say there is nothing, never an invented item.
 *
 * threat-analysis: a threat per finding of the chosen kind (posture findings are not threats);
 * `behavioral_patterns` are the behavioural findings with their confidence as `anomaly_score`;
 * `predictions` (when asked for) are persistence, not a forecast model: `next_24h_risk` is the
 * risk of the findings still seen in the last 24 h, `next_7d_risk` that of the whole window, and
 * `recommended_monitoring` the sources that produced findings.
 * summary: `log_types` picks findings — "security" all of them (every rule is a security rule),
 * otherwise by severity: "error" high and critical, "warning" medium, "info" low.
 * recommendations: one per finding of the last 7 days, from a fixed table (category, what to do,
 * its impact, effort and typical time), priority from the finding's severity.
 */
import { collectFindings, type Finding, riskOf, type Severity, type Source } from "./findings.ts";
import { currentSummariser } from "./summariser.ts";

export type { Finding } from "./findings.ts";

interface Playbook {
  threat?: string;
  behaviour?: string;
  kinds: readonly ("behavioral" | "network" | "authentication")[];
  category: string;
  title: (f: Finding) => string;
  action: (f: Finding) => string;
  impact: string;
  effort: "low" | "medium" | "high";
  estimatedTime: string;
  actions: string[];
  /** `affected` lists devices (addresses, gateways), not people. */
  devices: boolean;
}

const PLAYBOOK: Record<string, Playbook> = {
  failed_login_spike: {
    threat: "credential_attack",
    behaviour: "failed_login_spike",
    kinds: ["behavioral", "authentication"],
    category: "access_control",
    title: () => "Block the sources of the failed sign-ins",
    action: (f) => `${f.description}; blacklist the sources and check that brute-force protection is on`,
    impact: "Stops password guessing against your accounts",
    effort: "low",
    estimatedTime: "15 minutes",
    actions: ["Blacklist the source addresses", "Review the accounts targeted", "Enforce two-factor sign-in"],
    devices: true,
  },
  brute_force_blocks: {
    threat: "brute_force",
    kinds: ["authentication", "network"],
    category: "access_control",
    title: () => "Keep brute-force sources out for good",
    action: (f) => `${f.description}; the block expires, a firewall blacklist entry does not`,
    impact: "Prevents the same sources from trying again after the block expires",
    effort: "low",
    estimatedTime: "15 minutes",
    actions: ["Add the blocked addresses to the firewall blacklist", "Review access logs"],
    devices: true,
  },
  after_hours_activity: {
    behaviour: "increased_after_hours_activity",
    kinds: ["behavioral"],
    category: "monitoring",
    title: () => "Review activity outside working hours",
    action: (f) => `${f.description}; confirm it was expected`,
    impact: "Finds compromised accounts used while nobody watches",
    effort: "medium",
    estimatedTime: "1 hour",
    actions: ["Review the after-hours actions", "Confirm them with the users"],
    devices: false,
  },
  access_denied_burst: {
    threat: "privilege_probing",
    kinds: ["authentication", "behavioral"],
    category: "access_control",
    title: () => "Review refused requests",
    action: (f) => `${f.description}; a caller may be probing for what it can reach`,
    impact: "Finds misused credentials and roles that need adjusting",
    effort: "low",
    estimatedTime: "30 minutes",
    actions: ["Review who was refused and what they attempted", "Revoke keys that should not exist"],
    devices: false,
  },
  repeated_blocks: {
    threat: "suspicious_network_activity",
    kinds: ["network"],
    category: "network_security",
    title: (f) => `Blacklist ${f.affected[0] ?? "the source"}`,
    action: (f) => `${f.description}; a blacklist entry drops it before any rule is evaluated`,
    impact: "Reduces noise and the attack surface the source keeps probing",
    effort: "low",
    estimatedTime: "10 minutes",
    actions: ["Add the source to the firewall blacklist", "Review the targeted ports"],
    devices: true,
  },
  metric_anomalies: {
    threat: "anomalous_device_behavior",
    behaviour: "anomalous_gateway_metrics",
    kinds: ["behavioral", "network"],
    category: "anomaly_detection",
    title: () => "Investigate gateways with anomalous metrics",
    action: (f) => `${f.description}; check the processes and connections of the gateways named`,
    impact: "Finds compromised or failing gateways early",
    effort: "medium",
    estimatedTime: "1 hour",
    actions: ["Isolate affected devices", "Review the gateways' processes and connections"],
    devices: true,
  },
  exfiltration_like_egress: {
    threat: "data_exfiltration",
    behaviour: "unusual_outbound_traffic",
    kinds: ["network", "behavioral"],
    category: "network_security",
    title: (f) => `Investigate outbound traffic from ${f.affected[0] ?? "the gateway"}`,
    action: (f) => `${f.description}; find the process and destination sending it`,
    impact: "Stops data leaving through a compromised gateway",
    effort: "medium",
    estimatedTime: "2 hours",
    actions: [
      "Review the gateway's open connections and the processes holding them",
      "Restrict outbound traffic in the gateway's firewall to the destinations it needs",
      "Rotate credentials stored on the gateway if the traffic is unexplained",
    ],
    devices: true,
  },
  gateway_ssh_failed_logins: {
    threat: "brute_force",
    behaviour: "gateway_ssh_failed_logins",
    kinds: ["authentication", "network"],
    category: "access_control",
    title: (f) => `Stop the SSH password guessing on ${f.affected[0] ?? "the gateway"}`,
    action: (f) => `${f.description}; allow SSH keys only and limit SSH to known addresses`,
    impact: "Stops password guessing against the gateway's SSH service",
    effort: "low",
    estimatedTime: "30 minutes",
    actions: [
      "Turn off SSH password authentication on the gateway (SSH settings)",
      "Restrict SSH to known source addresses in the gateway's firewall",
      "Review the gateway's SSH log for a successful login after the failures",
    ],
    devices: true,
  },
  gateway_scan_failures: {
    kinds: ["network", "authentication"],
    category: "security_posture",
    title: () => "Fix the checks the security scan failed",
    action: (f) => `${f.description}; GET /scan/results shows each check's remediation`,
    impact: "Closes the weaknesses the scan found on the platform and the gateways",
    effort: "medium",
    estimatedTime: "2 hours",
    actions: ["Apply each failed check's remediation", "Run the scan again to confirm"],
    devices: false,
  },
  admins_without_mfa: {
    kinds: ["authentication"],
    category: "access_control",
    title: () => "Implement Multi-Factor Authentication",
    action: (f) => `${f.description}; enable two-factor sign-in for them`,
    impact: "Reduces risk of unauthorized access",
    effort: "low",
    estimatedTime: "30 minutes",
    actions: ["Enable two-factor sign-in for admins"],
    devices: false,
  },
};

const MONITORING: Record<Source, string> = {
  audit: "user_behavior",
  firewall: "network_traffic",
  anomalies: "gateway_metrics",
  users: "access_control",
  metrics: "network_traffic",
  scans: "security_posture",
};

const LOG_TYPE_SEVERITIES: Record<string, Severity[]> = {
  error: ["critical", "high"],
  warning: ["medium"],
  info: ["low"],
};

export async function summarise(tenantId: string, timeRange: string, hours: number, logTypes: readonly string[]) {
  const all = await collectFindings(tenantId, hours);
  // log_types: every rule is a security rule, so "security" keeps every finding; otherwise by
  // severity: "error" high and critical, "warning" medium, "info" low.
  const levels = new Set(logTypes.flatMap((t) => LOG_TYPE_SEVERITIES[t] ?? []));
  const findings = logTypes.includes("security") ? all.findings : all.findings.filter((f) => levels.has(f.severity));
  const f = { ...all, findings };
  return {
    summary: await (await currentSummariser()).summarise(f, timeRange),
    keyFindings: findings.map((x) => `${x.title}: ${x.description}`),
    recommendations: findings.map((x) => PLAYBOOK[x.rule]?.title(x) ?? x.title),
    riskLevel: riskOf(findings),
    findings,
    period: f.period,
  };
}

export type ThreatKind = "behavioral" | "network" | "authentication" | "comprehensive";

export async function analyseThreats(tenantId: string, kind: ThreatKind, hours: number, includePredictions: boolean) {
  const all = await collectFindings(tenantId, hours);
  const relevant = all.findings.filter(
    (f) => kind === "comprehensive" || (PLAYBOOK[f.rule]?.kinds as readonly string[] | undefined)?.includes(kind),
  );
  const threats = relevant.flatMap((f) => {
    const p = PLAYBOOK[f.rule];
    return p?.threat ? [{ finding: f, type: p.threat, actions: p.actions }] : [];
  });
  const patterns = relevant.flatMap((f) => {
    const p = PLAYBOOK[f.rule];
    return p?.behaviour
      ? [{ pattern: p.behaviour, anomalyScore: f.confidence, firstDetected: f.first_seen, finding: f }]
      : [];
  });
  const dayAgo = new Date(Date.now() - 86_400_000).toISOString();
  const predictions = includePredictions
    ? {
        next24hRisk: riskOf(relevant.filter((f) => f.last_seen === null || f.last_seen >= dayAgo)),
        next7dRisk: riskOf(relevant),
        monitoring: [...new Set(relevant.map((f) => MONITORING[f.evidence.source]))],
      }
    : null;
  return { threatLevel: riskOf(threats.map((t) => t.finding)), threats, patterns, predictions, period: all.period };
}

const PRIORITY: Record<Severity, "high" | "medium" | "low"> = {
  critical: "high",
  high: "high",
  medium: "medium",
  low: "low",
};

export async function recommend(tenantId: string) {
  const { findings, period } = await collectFindings(tenantId, 7 * 24);
  const items = findings.flatMap((f, i) => {
    const p = PLAYBOOK[f.rule];
    if (!p) return [];
    return [
      {
        id: `rec_${String(i + 1).padStart(3, "0")}`,
        category: p.category,
        priority: PRIORITY[f.severity],
        title: p.title(f),
        description: p.action(f),
        impact: p.impact,
        effort: p.effort,
        affectedDevices: p.devices ? f.affected : undefined,
        estimatedTime: p.estimatedTime,
        finding: f,
      },
    ];
  });
  return { items, period };
}
