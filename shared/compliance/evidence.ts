/**
 * Controls verified by live evidence. A control is bound to evidence checks; each evaluation of a
 * check is applied to every control bound to it:
 *
 * - a verified control with a failing check drops to `implemented` with the reason
 *   (`status_reason`), raises a compliance item in its enterprise (one while it stays open) and
 *   writes an audit event (`grc_evidence_failed`, which the tenant's webhook also receives);
 * - an implemented control whose every bound check passes becomes `verified` by itself, with the
 *   evidence as its verification (`verified_by_username` "evidence"), and the compliance item it
 *   raised is completed;
 * - `not_available` (a source Warden does not have yet) neither verifies nor drops a control;
 * - a `not_implemented` control is never moved: evidence shows a control works, not that it exists.
 *
 * Evaluations run when a control is bound, when the state a check reads changes (the table-stream
 * worker) and on a schedule (every minute), so a drifting gateway shows within a minute. An
 * evidence record (collected_at and the facts seen) is written when a result changes, and at
 * least hourly while it stands, so freshness is visible without a record per minute.
 */
import { randomUUID } from "node:crypto";
import { appendAudit } from "#shared/audit/trail.ts";
import type { Principal } from "#shared/identity/principal.ts";
import { log } from "#shared/kit/log.ts";
import {
  type Binding,
  boundTenants,
  type EvidenceRecord,
  listBindings,
  listEvidence,
  putBinding,
  putEvidence,
} from "./db/evidence.ts";
import { type GrcRecord, getRecord, listRecords, putRecords, updateRecord } from "./db/records.ts";
import { stateChanges } from "./db/stream.ts";
import { type GrcScope, visibleRecord } from "./enterprises.ts";
import { EVIDENCE_CHECK_IDS, type EvidenceCheckId, isEvidenceCheckId, requirementsFor } from "./evidence-bindings.ts";
import { CHECK_READS, type CheckAnswer, checkDescription, isAvailable, runCheck } from "./evidence-checks.ts";

export type { EvidenceRecord } from "./db/evidence.ts";
/** The tenants and item types a stream batch changed. */
export const stateChangesOf = stateChanges;

const RECORD_AT_LEAST_EVERY_MS = 60 * 60_000;

interface LastSeen {
  result: string;
  collected_at: string;
}

export function evidenceChecks() {
  return EVIDENCE_CHECK_IDS.map((id) => ({
    id,
    description: checkDescription(id),
    reads: CHECK_READS[id],
    available: isAvailable(id),
    bindings: requirementsFor(id).map((b) => ({ framework_id: b.framework_id, requirement_id: b.requirement_id })),
  }));
}

/** Binds a control to a check and evaluates it at once; answers the control as it stands after. */
export async function bindEvidence(
  scope: GrcScope,
  controlId: string,
  check: string,
  by: Principal,
): Promise<{ control: GrcRecord; evidence: EvidenceRecord[] }> {
  if (!isEvidenceCheckId(check)) throw new Error(`unknown check ${check}`);
  const control = await visibleRecord(scope, "control", controlId);
  await putBinding({ tenantId: scope.tenantId, check, control: control.id });
  const checks = [...new Set([...((control.doc.evidence_checks as string[] | undefined) ?? []), check])];
  const bound = await updateRecord(control, {
    doc: { ...control.doc, evidence_checks: checks },
    framework: control.framework,
    updatedAt: new Date().toISOString(),
  });
  log.info("evidence bound", { tenantId: scope.tenantId, control: control.id, check, by: by.username });
  await reevaluate(scope.tenantId, { controls: [bound.id] });
  const after = (await getRecord(scope.tenantId, "control", bound.id)) ?? bound;
  return { control: after, evidence: await listEvidence(scope.tenantId, bound.id) };
}

export async function controlEvidence(scope: GrcScope, controlId: string) {
  const control = await visibleRecord(scope, "control", controlId);
  return { control, evidence: await listEvidence(scope.tenantId, control.id) };
}

export interface ReevaluateOptions {
  /** Only these checks (what a state change touched); all bound checks when absent. */
  checks?: EvidenceCheckId[];
  /** Only these controls (a new binding). */
  controls?: string[];
  now?: Date;
}

/** Evaluates the tenant's bound checks once each and applies the answers to the bound controls. */
export async function reevaluate(
  tenantId: string,
  opts: ReevaluateOptions = {},
): Promise<{ evaluated: number; changed: number }> {
  const bindings = (await listBindings(tenantId)).filter(
    (b) =>
      (!opts.checks || opts.checks.includes(b.check as EvidenceCheckId)) &&
      (!opts.controls || opts.controls.includes(b.control)),
  );
  if (bindings.length === 0) return { evaluated: 0, changed: 0 };
  const controlIds = new Set(bindings.map((b) => b.control));
  // Every check a touched control depends on, so its verdict weighs all of them.
  const all = await listBindings(tenantId);
  const needed = new Set<string>(all.filter((b) => controlIds.has(b.control)).map((b) => b.check));
  const answers = new Map<string, CheckAnswer>();
  await Promise.all(
    [...needed].map(async (c) => {
      if (!isEvidenceCheckId(c)) return;
      try {
        answers.set(c, await runCheck(tenantId, c));
      } catch (error) {
        log.error("evidence check failed to run", { tenantId, check: c, error });
        answers.set(c, {
          result: "not_available",
          reason: "the check could not read its source; retried on the next run",
          facts: {},
        });
      }
    }),
  );
  const controls = (await listRecords(tenantId, "control")).filter((c) => controlIds.has(c.id));
  const now = opts.now ?? new Date();
  let changed = 0;
  for (const control of controls) {
    const checks = all.filter((b) => b.control === control.id).map((b: Binding) => b.check);
    if (await applyAnswers(control, checks, answers, now)) changed += 1;
  }
  return { evaluated: answers.size, changed };
}

async function applyAnswers(
  control: GrcRecord,
  checks: string[],
  answers: Map<string, CheckAnswer>,
  now: Date,
): Promise<boolean> {
  const at = now.toISOString();
  const last = { ...((control.doc.evidence_last as Record<string, LastSeen> | undefined) ?? {}) };
  for (const check of checks) {
    const a = answers.get(check);
    if (!a) continue;
    const prev = last[check];
    if (
      !prev ||
      prev.result !== a.result ||
      now.getTime() - Date.parse(prev.collected_at) >= RECORD_AT_LEAST_EVERY_MS
    ) {
      await putEvidence({
        tenantId: control.tenantId,
        id: randomUUID(),
        control: control.id,
        check,
        result: a.result,
        reason: a.reason,
        facts: a.facts,
        collectedAt: at,
      });
      last[check] = { result: a.result, collected_at: at };
    }
  }
  const results = checks.map((c) => ({ check: c, answer: answers.get(c) }));
  const failing = results.filter((r) => r.answer?.result === "fail");
  const allPass = results.length > 0 && results.every((r) => r.answer?.result === "pass");
  const doc: Record<string, unknown> = { ...control.doc, evidence_last: last };
  const status = control.doc.status;
  let event: { event: string; eventType: string; severity: "warning" | "info"; reason: string } | undefined;

  if (status === "verified" && failing.length > 0) {
    const first = failing[0];
    const reason = `Evidence check ${first?.check} failed at ${at}: ${first?.answer?.reason}`;
    await dropVerification(control, doc, reason, at);
    event = { event: "GRC Control Evidence Failed", eventType: "grc_evidence_failed", severity: "warning", reason };
  } else if (status === "implemented" && allPass && !cloudFindingsOpen(control.doc)) {
    const passed = results.map((r) => `${r.check} passed (${r.answer?.reason})`).join("; ");
    await restoreVerification(control, doc, `Verified by live evidence at ${at}: ${passed}`, at);
    event = {
      event: "GRC Control Evidence Passed",
      eventType: "grc_evidence_passed",
      severity: "info",
      reason: String(doc.test_results),
    };
  } else if (status === "implemented" && failing.length > 0 && control.doc.status_reason) {
    const first = failing[0];
    doc.status_reason = `Evidence check ${first?.check} failing since ${String(control.doc.status_reason).match(/at (\S+):/)?.[1] ?? at}: ${first?.answer?.reason}`;
  }
  const moved = doc.status !== control.doc.status;
  if (!moved && JSON.stringify(doc) === JSON.stringify(control.doc)) return false;
  try {
    await updateRecord(control, { doc, framework: control.framework, updatedAt: moved ? at : control.updatedAt });
  } catch (error) {
    // A person changed the control meanwhile: the next run sees their version.
    log.warn("evidence result not applied; retried on the next run", { control: control.id, error });
    return false;
  }
  if (event) await auditEvidenceChange(control, doc.status, event);
  return moved;
}

/** A control's status moved by its evidence: one audit record (who: warden-evidence), with `extra` details. */
export async function auditEvidenceChange(
  control: GrcRecord,
  status: unknown,
  event: { event: string; eventType: string; severity: "warning" | "info"; reason: string },
  extra: Record<string, unknown> = {},
): Promise<void> {
  await appendAudit(control.tenantId, [
    {
      event: event.event,
      eventType: event.eventType,
      resource: `controls/${control.id}`,
      status: "success",
      severity: event.severity,
      user: "warden-evidence",
      details: {
        control: control.id,
        control_id: control.doc.control_id,
        enterprise: control.enterprise,
        status,
        reason: event.reason,
        ...extra,
      },
    },
  ]);
}

/**
 * Whether a cloud scan left a critical finding open on the control's requirement (written by
 * cloud-evidence.ts): a control never regains `verified` from its bound checks while one is.
 */
export function cloudFindingsOpen(doc: Record<string, unknown>): boolean {
  const last = doc.evidence_last as Record<string, LastSeen> | undefined;
  return last?.cloud_posture?.result === "fail";
}

/**
 * Evidence drops a verified control back to implemented (in `doc`, the control's next document):
 * the reason stays on it, and a compliance item (unless one is open already) tracks restoring it.
 */
export async function dropVerification(
  control: GrcRecord,
  doc: Record<string, unknown>,
  reason: string,
  at: string,
): Promise<void> {
  Object.assign(doc, {
    status: "implemented",
    status_reason: reason,
    verification_date: null,
    verified_by: null,
    verified_by_username: null,
  });
  if (!doc.evidence_item) doc.evidence_item = await raiseItem(control, reason, at);
}

/** Evidence verifies a control again (in `doc`): `testResults` say why, and the item its drop raised is completed. */
export async function restoreVerification(
  control: GrcRecord,
  doc: Record<string, unknown>,
  testResults: string,
  at: string,
): Promise<void> {
  Object.assign(doc, {
    status: "verified",
    status_reason: null,
    verification_date: at,
    verified_by: null,
    verified_by_username: "evidence",
    test_results: testResults,
  });
  if (typeof doc.evidence_item === "string") await closeItem(control, doc.evidence_item, at);
  doc.evidence_item = null;
}

/** The compliance item a failing check raises (due in 7 days): answers its id. */
async function raiseItem(control: GrcRecord, reason: string, at: string): Promise<string> {
  const id = randomUUID();
  await putRecords([
    {
      tenantId: control.tenantId,
      kind: "compliance",
      id,
      enterprise: control.enterprise,
      ...(control.framework ? { framework: control.framework } : {}),
      createdAt: at,
      updatedAt: at,
      doc: {
        requirement_name: `Restore evidence for control ${String(control.doc.control_id)}`,
        description: reason,
        section_reference: String(control.doc.requirement_id ?? control.doc.control_id ?? ""),
        framework: control.framework ?? null,
        status: "not_started",
        status_percentage: 0,
        deadline: new Date(Date.parse(at) + 7 * 86_400_000).toISOString().slice(0, 10),
        completed_date: null,
        owner: null,
        owner_username: null,
        evidence_document: null,
        verification_notes: "",
        raised_by_control: control.id,
      },
    },
  ]);
  return id;
}

async function closeItem(control: GrcRecord, itemId: string, at: string): Promise<void> {
  const item = await getRecord(control.tenantId, "compliance", itemId);
  if (!item || item.doc.status === "completed") return;
  try {
    await updateRecord(item, {
      doc: {
        ...item.doc,
        status: "completed",
        status_percentage: 100,
        completed_date: at.slice(0, 10),
        verification_notes: `Evidence passed again at ${at}`,
      },
      framework: item.framework,
      updatedAt: at,
    });
  } catch (error) {
    log.warn("could not complete the evidence item", { item: itemId, error });
  }
}

/** The scheduled run: every tenant with a binding, every bound check. */
export async function reevaluateAll(now = new Date()): Promise<{ tenants: number; changed: number }> {
  let changed = 0;
  const tenants = await boundTenants();
  for (const t of tenants) {
    try {
      changed += (await reevaluate(t, { now })).changed;
    } catch (error) {
      log.error("evidence re-evaluation failed", { tenantId: t, error });
    }
  }
  return { tenants: tenants.length, changed };
}

/** The item types whose changes each check reads (the stream worker's filter uses the same list). */
export const CHECKS_BY_ITEM_TYPE: Record<string, EvidenceCheckId[]> = {
  User: ["mfa_enforced_for_admins", "mfa_coverage_users"],
  ApiKey: ["api_keys_expire", "api_keys_scoped"],
  Settings: ["mfa_enforced_for_admins", "password_policy_strong", "account_lockout_enabled", "audit_retention_365d"],
  Gateway: [
    "firewall_default_deny",
    "firewall_applied_all_gateways",
    "gateways_in_sync",
    "ssh_password_auth_disabled",
    "ssh_root_login_disabled",
  ],
  FleetConfigHead: [
    "firewall_default_deny",
    "firewall_applied_all_gateways",
    "gateways_in_sync",
    "ssh_password_auth_disabled",
    "ssh_root_login_disabled",
  ],
  AuditArchive: ["audit_chain_intact"],
};

/** The stream worker: re-evaluates, per tenant, the checks reading what changed. */
export async function reevaluateChanges(changes: { tenantId: string; type: string }[]): Promise<number> {
  const byTenant = new Map<string, Set<EvidenceCheckId>>();
  for (const c of changes) {
    const checks = CHECKS_BY_ITEM_TYPE[c.type];
    if (!checks) continue;
    const set = byTenant.get(c.tenantId) ?? new Set();
    for (const k of checks) set.add(k);
    byTenant.set(c.tenantId, set);
  }
  let changed = 0;
  for (const [tenantId, checks] of byTenant) changed += (await reevaluate(tenantId, { checks: [...checks] })).changed;
  return changed;
}
