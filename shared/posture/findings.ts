/**
 * A stored finding: one check's verdict on one resource, as the results, alerts, reports and
 * exports read it (snake_case, the wire's names). Framework control ids are prefixed with their
 * framework (`CIS-2.1.1`, `FSBP-S3.1`, `NIST-PR.DS-01`, `ISO27001-A.8.24`), as the spec's
 * `compliance_violations` shows them.
 */

import type { FrameworkId } from "./checks/frameworks.ts";
import { CHECKS_BY_ID } from "./checks/index.ts";
import type { Finding } from "./evaluate.ts";
import type { FrameworkName } from "./schemas.ts";

export const FRAMEWORK_OF: Record<Exclude<FrameworkName, "soc2">, FrameworkId> = {
  cis: "cis-aws-foundations-v3.0",
  fsbp: "aws-fsbp",
  nist: "nist-csf-2.0",
  iso27001: "iso-27001-2022",
};

const PREFIX: Record<FrameworkId, string> = {
  "cis-aws-foundations-v3.0": "CIS",
  "aws-fsbp": "FSBP",
  "nist-csf-2.0": "NIST",
  "iso-27001-2022": "ISO27001",
};

export const controlLabel = (framework: FrameworkId, id: string): string => `${PREFIX[framework]}-${id}`;

export interface StoredFinding {
  key: string;
  finding_id: string;
  status: "PASS" | "FAIL" | "MANUAL";
  severity: Finding["severity"];
  title: string;
  description: string;
  resource_id: string;
  resource_arn: string | null;
  resource_type: string;
  service: string;
  region: string;
  risk_score: number;
  compliance_violations: string[];
  categories: string[];
  remediation: {
    steps: string[];
    priority: "immediate" | "high" | "medium" | "low";
    estimated_effort: string;
    cli: string;
    console: string;
    url: string | null;
  };
  evidence: { check_id: string; risk: string; details: string; resource_arn: string | null };
}

const PRIORITY = {
  critical: "immediate",
  high: "high",
  medium: "medium",
  low: "low",
  informational: "low",
} as const;

/** Effort by resource type: a setting on one resource is minutes; account-wide or identity work takes longer. */
function effort(resourceType: string, severity: string): string {
  if (resourceType === "AwsAccount" || resourceType === "AwsIamPolicy") return "1-2 hours";
  if (resourceType === "AwsRdsDbInstance" || resourceType === "AwsEc2Volume") return "30-60 minutes";
  return severity === "critical" ? "15 minutes" : "15-30 minutes";
}

export function storedFinding(f: Finding): StoredFinding {
  const check = CHECKS_BY_ID.get(f.checkId);
  const violations =
    f.status === "FAIL"
      ? (Object.entries(f.frameworks) as [FrameworkId, readonly string[]][]).flatMap(([fw, ids]) =>
          ids.map((id) => controlLabel(fw, id)),
        )
      : [];
  const remediation = check?.remediation;
  return {
    key: f.key,
    finding_id: f.checkId,
    status: f.status,
    severity: f.severity,
    title: f.title,
    description: f.details,
    resource_id: f.resourceId,
    resource_arn: f.resourceArn ?? null,
    resource_type: f.resourceType,
    service: f.service,
    region: f.region,
    risk_score: f.riskScore,
    compliance_violations: violations,
    categories: [...f.categories],
    remediation: {
      steps: remediation ? [remediation.console, `CLI: ${remediation.cli}`] : [],
      priority: PRIORITY[f.severity],
      estimated_effort: effort(f.resourceType, f.severity),
      cli: remediation?.cli ?? "",
      console: remediation?.console ?? "",
      url: remediation?.url ?? null,
    },
    evidence: {
      check_id: f.checkId,
      risk: check?.risk ?? "",
      details: f.details,
      resource_arn: f.resourceArn ?? null,
    },
  };
}

/** Every framework control a finding's check maps to (passed or failed), by framework. */
export function controlsOf(checkId: string, framework: FrameworkId): readonly string[] {
  return CHECKS_BY_ID.get(checkId)?.frameworks[framework] ?? [];
}

export interface ControlVerdict {
  control_id: string;
  title: string;
  status: "passed" | "failed";
  findings_count: number;
  affected_resources: string[];
  checks: string[];
}

/** Per requirement of `framework`: failed when any mapped check failed on any resource. */
export function complianceControls(findings: readonly StoredFinding[], framework: FrameworkId): ControlVerdict[] {
  const byControl = new Map<string, ControlVerdict>();
  for (const f of findings) {
    if (f.status === "MANUAL") continue;
    for (const id of controlsOf(f.finding_id, framework)) {
      const label = controlLabel(framework, id);
      let c = byControl.get(label);
      if (!c) {
        c = {
          control_id: label,
          title: f.title,
          status: "passed",
          findings_count: 0,
          affected_resources: [],
          checks: [],
        };
        byControl.set(label, c);
      }
      if (!c.checks.includes(f.finding_id)) c.checks.push(f.finding_id);
      if (f.status === "FAIL") {
        c.status = "failed";
        c.findings_count++;
        if (!c.affected_resources.includes(f.resource_id)) c.affected_resources.push(f.resource_id);
      }
    }
  }
  return [...byControl.values()].sort((a, b) => a.control_id.localeCompare(b.control_id, "en", { numeric: true }));
}

export function compliancePercentage(controls: readonly ControlVerdict[]): number {
  if (controls.length === 0) return 100;
  const passed = controls.filter((c) => c.status === "passed").length;
  return Math.round((1000 * passed) / controls.length) / 10;
}
