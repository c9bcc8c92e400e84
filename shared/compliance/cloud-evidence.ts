/**
 * Cloud scan findings as evidence on the tenant's controls. When a cloud scan completes (the
 * cloud-scan state machine's Evidence step), every control of the tenant whose catalog requirement
 * a check of that scan maps to — CIS AWS Foundations v3.0, AWS FSBP, NIST CSF 2.0 and ISO 27001:2022,
 * the frameworks the scan reported on — gets an evidence record `cloud_posture` naming the scan, the
 * checks mapped there and the failing findings:
 *
 * - `fail` while a critical finding on the requirement is open (its alert open or acknowledged, or
 *   suppressed past its expiry). A verified control drops to `implemented` with the reason and raises
 *   a compliance item, as a failing bound check does (audit `grc_evidence_failed`);
 * - `pass` otherwise; high findings are listed in the record's facts (visible to an auditor) but
 *   do not fail it — the issue asks critical findings to reach the controls, and a high finding
 *   on a requirement is routine for real accounts. A control that lost its verification to
 *   evidence comes back to `verified` once no evidence it holds fails any more (the scan that no
 *   longer finds the problem), and its compliance item is completed (audit `grc_evidence_passed`).
 *
 * State is kept per cloud account on the control (`cloud_findings`), so a clean scan of one account
 * does not clear the open critical finding of another. A `not_implemented` control gets the record
 * but never moves: evidence shows a control works, not that it exists. Mapped controls need no
 * binding: the mapping is the catalog's (shared/posture/checks/frameworks.ts names its sources).
 */
import { randomUUID } from "node:crypto";
import { log } from "#shared/kit/log.ts";
import { type RequirementEvidence, type RequirementFinding, scanEvidence } from "#shared/posture/evidence.ts";
import { putEvidence } from "./db/evidence.ts";
import { type GrcRecord, listRecords, updateRecord } from "./db/records.ts";
import { auditEvidenceChange, dropVerification, reevaluate, restoreVerification } from "./evidence.ts";

/** The evidence records' check name (not a bindable check: every mapped control gets it). */
export const CLOUD_POSTURE = "cloud_posture";

interface AccountState {
  scan_id: string;
  critical: number;
  /** When the open critical findings were first seen (null while none is open). */
  since: string | null;
}

export interface CloudEvidenceOutcome {
  scan_id: string;
  controls: number;
  failing: number;
  dropped: number;
  restored: number;
}

/** Open: the alert is open or acknowledged, or its suppression has expired. */
function isOpen(f: RequirementFinding, now: Date): boolean {
  if (f.alert_status === "suppressed")
    return f.suppressed_until !== null && Date.parse(f.suppressed_until) <= now.getTime();
  return f.alert_status !== "resolved";
}

const brief = (f: RequirementFinding) => ({
  check: f.check,
  title: f.title,
  severity: f.severity,
  resource_id: f.resource_id,
  region: f.region,
  alert_id: f.alert_id,
  alert_status: f.alert_status,
});

/** The scan's evidence on every mapped control, then the tenant-wide `cloud_scan_no_critical` check. */
export async function recordCloudEvidence(
  tenantId: string,
  scanId: string,
  now = new Date(),
): Promise<CloudEvidenceOutcome> {
  const out: CloudEvidenceOutcome = { scan_id: scanId, controls: 0, failing: 0, dropped: 0, restored: 0 };
  const ev = await scanEvidence(tenantId, scanId);
  if (!ev) return out;
  const byRequirement = new Map(ev.requirements.map((r) => [`${r.framework}|${r.requirement}`, r]));
  const controls = (await listRecords(tenantId, "control")).filter(
    (c) => c.framework && byRequirement.has(`${c.framework}|${String(c.doc.requirement_id)}`),
  );
  for (const control of controls) {
    const r = byRequirement.get(`${control.framework}|${String(control.doc.requirement_id)}`) as RequirementEvidence;
    const moved = await applyScan(control, ev.scanId, ev.accountId, r, now);
    out.controls++;
    if (moved.failing) out.failing++;
    if (moved.change === "dropped") out.dropped++;
    if (moved.change === "restored") out.restored++;
  }
  // Bound controls of the tenant-wide check follow the same scan.
  await reevaluate(tenantId, { checks: ["cloud_scan_no_critical"], now });
  log.info("cloud scan evidence recorded", { tenantId, ...out });
  return out;
}

async function applyScan(
  control: GrcRecord,
  scanId: string,
  accountId: string,
  r: RequirementEvidence,
  now: Date,
): Promise<{ failing: boolean; change: "dropped" | "restored" | null }> {
  const at = now.toISOString();
  const open = r.failing.filter((f) => isOpen(f, now));
  const critical = open.filter((f) => f.severity === "critical");
  const high = open.filter((f) => f.severity === "high");
  const otherOpen: Record<string, number> = {};
  for (const f of open)
    if (f.severity !== "critical" && f.severity !== "high") otherOpen[f.severity] = (otherOpen[f.severity] ?? 0) + 1;
  const where = `Cloud scan ${scanId} of account ${accountId}`;
  const first = critical[0];
  const reason = first
    ? `${where}: ${critical.length} critical finding(s) open on ${r.requirement} — ${first.check} on ${first.resource_id}`
    : `${where}: no open critical finding among ${r.checks.length} check(s) mapped to ${r.requirement}${high.length ? `; ${high.length} high finding(s) open` : ""}`;
  await putEvidence({
    tenantId: control.tenantId,
    id: randomUUID(),
    control: control.id,
    check: CLOUD_POSTURE,
    result: first ? "fail" : "pass",
    reason,
    facts: {
      scan_id: scanId,
      account_id: accountId,
      framework: r.framework,
      requirement: r.requirement,
      checks: r.checks,
      critical: critical.map(brief),
      high: high.map(brief),
      other_open: otherOpen,
      suppressed: r.failing.filter((f) => !isOpen(f, now)).map(brief),
    },
    collectedAt: at,
  });

  const accounts = { ...((control.doc.cloud_findings as Record<string, AccountState> | undefined) ?? {}) };
  const before = accounts[accountId];
  accounts[accountId] = {
    scan_id: scanId,
    critical: critical.length,
    since: critical.length > 0 ? (before?.since ?? at) : null,
  };
  const failingAccount = Object.entries(accounts).find(([, s]) => s.critical > 0);
  const last = { ...((control.doc.evidence_last as Record<string, { result: string }> | undefined) ?? {}) };
  last[CLOUD_POSTURE] = { result: failingAccount ? "fail" : "pass", collected_at: at } as never;
  const doc: Record<string, unknown> = { ...control.doc, cloud_findings: accounts, evidence_last: last };

  let change: "dropped" | "restored" | null = null;
  let event: { event: string; eventType: string; severity: "warning" | "info"; reason: string } | undefined;
  if (control.doc.status === "verified" && failingAccount) {
    const why = first
      ? reason
      : `Cloud account ${failingAccount[0]} has ${failingAccount[1].critical} critical finding(s) open`;
    const statusReason = `Evidence check ${CLOUD_POSTURE} failed at ${at}: ${why}`;
    await dropVerification(control, doc, statusReason, at);
    change = "dropped";
    event = {
      event: "GRC Control Evidence Failed",
      eventType: "grc_evidence_failed",
      severity: "warning",
      reason: why,
    };
  } else if (
    control.doc.status === "implemented" &&
    control.doc.status_reason &&
    !failingAccount &&
    !Object.values(last).some((l) => l.result === "fail")
  ) {
    // It lost its verification to evidence, and no evidence it holds fails any more.
    const tests = `Verified by live evidence at ${at}: ${reason}`;
    await restoreVerification(control, doc, tests, at);
    change = "restored";
    event = { event: "GRC Control Evidence Passed", eventType: "grc_evidence_passed", severity: "info", reason: tests };
  }
  try {
    await updateRecord(control, {
      doc,
      framework: control.framework,
      updatedAt: change ? at : control.updatedAt,
    });
  } catch (error) {
    // A person changed the control meanwhile: the evidence record stands; the next scan applies again.
    log.warn("cloud evidence not applied to the control; applied on the next scan", { control: control.id, error });
    return { failing: Boolean(failingAccount), change: null };
  }
  if (event) await auditEvidenceChange(control, doc.status, event, { scan_id: scanId });
  return { failing: Boolean(failingAccount), change };
}
