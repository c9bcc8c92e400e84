/**
 * What one completed scan says about each framework requirement its checks map to: the checks that
 * gave a verdict there, and every failing finding with the state of its alert. The GRC area turns
 * this into evidence on the tenant's controls for those requirements (shared/compliance/cloud-evidence.ts);
 * this side only reads the scan, so the posture area never depends on the GRC one.
 */
import type { FrameworkId } from "./checks/frameworks.ts";
import { type AlertItem, listAlerts } from "./db/alerts.ts";
import { getScan, readFindings } from "./db/scans.ts";
import { controlsOf, FRAMEWORK_OF, type StoredFinding } from "./findings.ts";

export interface RequirementFinding {
  check: string;
  title: string;
  severity: string;
  resource_id: string;
  region: string;
  alert_id: number | null;
  /** The alert's state: a suppressed one is a governed exception until its expiry. */
  alert_status: string | null;
  suppressed_until: string | null;
}

export interface RequirementEvidence {
  framework: FrameworkId;
  requirement: string;
  /** Checks with a PASS or FAIL result mapped to the requirement (MANUAL settles nothing). */
  checks: string[];
  failing: RequirementFinding[];
}

export interface ScanEvidence {
  scanId: string;
  accountId: string;
  completedAt: string;
  /** The frameworks the scan was asked to report on. */
  frameworks: FrameworkId[];
  requirements: RequirementEvidence[];
}

/** Per requirement of the scan's frameworks that a check gave a verdict on; undefined unless completed. */
export async function scanEvidence(tenantId: string, scanId: string): Promise<ScanEvidence | undefined> {
  const scan = await getScan(tenantId, scanId);
  if (scan?.status !== "completed" || !scan.accountId) return undefined;
  const frameworks = scan.frameworks
    .map((f) => FRAMEWORK_OF[f as keyof typeof FRAMEWORK_OF])
    .filter((f): f is FrameworkId => f !== undefined);
  const findings = (await readFindings(tenantId, scanId)) as StoredFinding[];
  const byRequirement = new Map<string, RequirementEvidence>();
  const alerts = new Map(
    (await listAlerts(tenantId)).filter((a) => a.accountId === scan.accountId).map((a) => [a.key, a]),
  );
  for (const f of findings) {
    if (f.status === "MANUAL") continue;
    for (const framework of frameworks) {
      for (const requirement of controlsOf(f.finding_id, framework)) {
        const key = `${framework}|${requirement}`;
        let r = byRequirement.get(key);
        if (!r) {
          r = { framework, requirement, checks: [], failing: [] };
          byRequirement.set(key, r);
        }
        if (!r.checks.includes(f.finding_id)) r.checks.push(f.finding_id);
        if (f.status === "FAIL") r.failing.push(failing(f, alerts.get(f.key)));
      }
    }
  }
  return {
    scanId,
    accountId: scan.accountId,
    completedAt: scan.completedAt ?? new Date().toISOString(),
    frameworks,
    requirements: [...byRequirement.values()],
  };
}

function failing(f: StoredFinding, alert: AlertItem | undefined): RequirementFinding {
  return {
    check: f.finding_id,
    title: f.title,
    severity: f.severity,
    resource_id: f.resource_id,
    region: f.region,
    alert_id: alert?.id ?? null,
    alert_status: alert?.status ?? null,
    suppressed_until: alert?.suppressedUntil ?? null,
  };
}
