/**
 * Gateway security scans on the workflow engine (definition `gateway-scan`,
 * shared/workflows/definitions.ts): starting one (one at a time per tenant, idempotent on a
 * client token, counted against the plan's scans per month), its progress, its results, cancelling
 * it, and the tenant's weekly schedule.
 *
 * A scan is an item of its own (db/scans.ts) beside the engine's execution item: the API reads the
 * scan (status `running` → `completed`, `failed` or `cancelled`; per-component results; score).
 * Steps (functions/workflows/gateway-scan/<component>.ts) each take a fresh snapshot of their
 * component (snapshot.ts) and run the checks of checks.ts that the scan's type and depth select.
 * Cancelling sets a flag every step reads first, so a cancelled scan stops within one step; the
 * finisher then records it `cancelled`.
 */
import { createHash, randomBytes } from "node:crypto";
import { appendAudit } from "#shared/audit/trail.ts";
import { countScanUse } from "#shared/billing/limits.ts";
import { Conflict, Invalid, NotFound } from "#shared/kit/errors.ts";
import { log } from "#shared/kit/log.ts";
import { gatewayScan } from "#shared/workflows/definitions.ts";
import { defineFinish, defineTask, startWorkflow, type WorkflowState } from "#shared/workflows/engine.ts";
import {
  CHECKS,
  type CheckOutcome,
  COMPONENTS,
  type Component,
  checksFor,
  componentsFor,
  type Depth,
  runCheck,
  type ScanType,
} from "./checks.ts";
import {
  addComponentResult,
  type ComponentResult,
  claimToken,
  deleteScan,
  deleteSchedule,
  endScan,
  getScan,
  getSchedule,
  latestScanId,
  putScan,
  putSchedule,
  recentScans,
  releaseToken,
  requestCancel,
  type ScanItem,
  type ScheduleItem,
  setLatest,
  setScanPosition,
} from "./db/scans.ts";
import { scanScheduler, weekdayOf, weeklySchedule, whenScanDue } from "./schedule.ts";
import type { ScanBody } from "./schemas.ts";
import { type JudgedCheck, overall, scoreComponent } from "./score.ts";
import { snapshotFor } from "./snapshot.ts";

export { COMPONENTS, DEPTHS, SCAN_TYPES } from "./checks.ts";
export type { ComponentResult, ScanItem, ScheduleItem } from "./db/scans.ts";

/** A client_token is remembered this long: a retry within it answers the scan it started. */
const TOKEN_SECONDS = 24 * 3600;
/** Without history, a scan is estimated at this many seconds per component. */
const DEFAULT_SECONDS_PER_COMPONENT = 2;
/** A running scan older than the workflow's timeout has lost its execution: it no longer blocks a new one. */
const STALE_MS = (gatewayScan.timeoutSeconds + 60) * 1000;

/** `scan-YYYYMMDD-HHMMSS-<8 hex>`: sorts by start time, unguessable, valid as an execution name. */
export function newScanId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  return `scan-${stamp}-${randomBytes(4).toString("hex").toUpperCase()}`;
}

export const SCAN_ID = /^scan-\d{8}-\d{6}-[0-9A-F]{8}$/;

export interface ScanRequest {
  tenantId: string;
  by: string;
  trigger: ScanItem["trigger"];
  scanType: ScanType;
  depth: Depth;
  components: readonly Component[];
  schedule: boolean;
  clientToken?: string;
  now?: Date;
}

/** The scan a caller asks for with the spec's body (POST /scan and its legacy alias). */
export function apiScanRequest(tenantId: string, by: string, body: ScanBody): ScanRequest {
  return {
    tenantId,
    by,
    trigger: "api",
    scanType: body.scan_type,
    depth: body.depth,
    components: body.components,
    schedule: body.schedule,
    clientToken: body.client_token,
  };
}

export interface StartedScan {
  scan: ScanItem;
  /** False when a retry with the same client_token answered the scan it had started. */
  started: boolean;
  nextScanScheduled: string | null;
}

const isRunning = (s: ScanItem, now: Date) =>
  s.status === "running" && now.getTime() - Date.parse(s.startedAt) < STALE_MS;

/** Seconds the tenant's recent finished scans took on average (the estimate's basis), or undefined. */
function averageSeconds(recent: ScanItem[]): number | undefined {
  const took = recent
    .filter((s) => s.status === "completed" && s.finishedAt)
    .slice(0, 5)
    .map(
      (s) => (Date.parse(s.finishedAt as string) - Date.parse(s.startedAt)) / 1000 / Math.max(1, s.components.length),
    );
  return took.length === 0 ? undefined : took.reduce((a, b) => a + b, 0) / took.length;
}

function conflictWith(scanId: string): Conflict {
  return new Conflict(
    `scan_id: scan ${scanId} is running for this organization; wait for it (GET /scan/progress/${scanId}) or cancel it (POST /scan/${scanId}/cancel)`,
  );
}

/**
 * Starts a scan. A running scan of the tenant is a 409 naming it; a retry with a client_token
 * already used answers the scan that token started. The plan's monthly scan allowance is counted
 * once the scan is sure to start.
 */
export async function startScan(r: ScanRequest): Promise<StartedScan> {
  const now = r.now ?? new Date();
  const components = componentsFor(r.scanType, r.depth, r.components);
  if (components.length === 0) {
    throw new Invalid(
      `body.components: no check of scan_type '${r.scanType}' at depth '${r.depth}' covers ${r.components.join(", ")}`,
    );
  }
  const scanId = newScanId(now);
  const tokenHash = r.clientToken ? createHash("sha256").update(r.clientToken).digest("hex") : undefined;
  if (tokenHash) {
    const held = await claimToken(r.tenantId, tokenHash, scanId, TOKEN_SECONDS);
    if (held) {
      const earlier = await getScan(r.tenantId, held);
      if (earlier)
        return { scan: earlier, started: false, nextScanScheduled: (await getSchedule(r.tenantId))?.nextRun ?? null };
      // The token's scan is being created by a concurrent retry right now.
      throw new Conflict(`client_token: a scan for this token is being started (${held}); retry in a moment`);
    }
  }
  let created = false;
  try {
    const recent = await recentScans(r.tenantId, 10);
    const running = recent.find((s) => isRunning(s, now));
    if (running) throw conflictWith(running.scanId);
    await countScanUse(r.tenantId, "gateway", now);
    const perComponent = averageSeconds(recent) ?? DEFAULT_SECONDS_PER_COMPONENT;
    const scan: ScanItem = {
      scanId,
      scanType: r.scanType,
      depth: r.depth,
      components,
      status: "running",
      trigger: r.trigger,
      startedBy: r.by,
      startedAt: now.toISOString(),
      estimatedSeconds: Math.max(1, Math.round(perComponent * components.length)),
      finishedAt: null,
      currentComponent: null,
      currentCheck: null,
      componentsDone: [],
      issuesFound: 0,
      results: {},
      cancelRequested: false,
      cancelledBy: null,
      error: null,
      totalIssues: null,
      securityScore: null,
      riskLevel: null,
      recommendations: [],
    };
    await putScan(r.tenantId, scan);
    created = true;
    const out = await startWorkflow({
      workflow: gatewayScan,
      tenantId: r.tenantId,
      // One scan at a time per tenant: the engine's lock is the hard guard behind the check above.
      subject: "tenant",
      executionId: scanId,
      startedBy: r.by,
      params: { scanId },
    });
    if (!out.started) throw conflictWith(out.execution.executionId);
    const schedule = r.schedule ? await saveSchedule(r, now) : await getSchedule(r.tenantId);
    return {
      scan: (await getScan(r.tenantId, scanId)) ?? scan,
      started: true,
      nextScanScheduled: schedule?.nextRun ?? null,
    };
  } catch (e) {
    if (created) await deleteScan(r.tenantId, scanId);
    if (tokenHash) await releaseToken(r.tenantId, tokenHash, scanId);
    throw e;
  }
}

async function saveSchedule(r: ScanRequest, now: Date): Promise<ScheduleItem> {
  const { expression, nextRun } = weeklySchedule(now);
  const item: ScheduleItem = {
    expression,
    nextRun: nextRun.toISOString(),
    scanType: r.scanType,
    depth: r.depth,
    components: [...r.components],
    createdBy: r.by,
    createdAt: now.toISOString(),
  };
  await (await scanScheduler()).upsert(r.tenantId, expression, nextRun);
  await putSchedule(r.tenantId, item);
  return item;
}

/** Removes the tenant's recurring scan; answers the schedule that was removed (404 when there was none). */
export async function deleteScanSchedule(tenantId: string): Promise<ScheduleItem> {
  const existing = await getSchedule(tenantId);
  if (!existing) throw new NotFound("schedule: this organization has no recurring scan");
  await (await scanScheduler()).remove(tenantId);
  await deleteSchedule(tenantId);
  return existing;
}

/**
 * The tenant's schedule fired (EventBridge Scheduler, or the local timer): starts the scheduled
 * scan unless one runs already, and moves the next run a week on.
 */
export async function runScheduledScan(tenantId: string, now = new Date()): Promise<string | null> {
  const schedule = await getSchedule(tenantId);
  if (!schedule) return null;
  const { expression, nextRun } = weeklySchedule(now, weekdayOf(schedule.expression));
  await putSchedule(tenantId, { ...schedule, expression, nextRun: nextRun.toISOString() });
  await (await scanScheduler()).upsert(tenantId, expression, nextRun);
  try {
    const out = await startScan({
      tenantId,
      by: "scheduler",
      trigger: "schedule",
      scanType: schedule.scanType as ScanType,
      depth: schedule.depth as Depth,
      components: schedule.components as Component[],
      schedule: false,
      now,
    });
    return out.scan.scanId;
  } catch (e) {
    // A scan already running, or the month's allowance used up: this week's run is skipped.
    log.warn("scheduled scan not started", { tenantId, error: e instanceof Error ? e.message : String(e) });
    return null;
  }
}

whenScanDue(async (tenantId) => {
  await runScheduledScan(tenantId);
});

/**
 * After an emergency unlock: a full scan, so the admin sees what the incident may have changed.
 * Answers whether one runs now (started, or one was already running); never fails the unlock.
 */
export async function startPostUnlockScan(tenantId: string, by: string): Promise<boolean> {
  try {
    await startScan({
      tenantId,
      by,
      trigger: "unlock",
      scanType: "full",
      depth: "standard",
      components: COMPONENTS,
      schedule: false,
    });
    return true;
  } catch (e) {
    if (e instanceof Conflict) return true;
    log.warn("post-unlock scan not started", { tenantId, error: e instanceof Error ? e.message : String(e) });
    return false;
  }
}

export async function cancelScan(tenantId: string, scanId: string, by: string): Promise<ScanItem> {
  const cancelled = await requestCancel(tenantId, scanId, by);
  if (cancelled) return cancelled;
  const scan = await getScan(tenantId, scanId);
  if (!scan) throw new NotFound(`scan_id: no scan ${scanId}`);
  throw new Conflict(`scan_id: scan ${scanId} is ${scan.status}; only a running scan can be cancelled`);
}

export async function scanById(tenantId: string, scanId: string): Promise<ScanItem> {
  const scan = await getScan(tenantId, scanId);
  if (!scan) throw new NotFound(`scan_id: no scan ${scanId}`);
  return scan;
}

/** A scan's results: by id (any status), or the latest finished one. */
export async function scanResults(
  tenantId: string,
  q: { scanId?: string; latest: boolean },
): Promise<{ scan: ScanItem; nextScanScheduled: string | null }> {
  let scan: ScanItem | undefined;
  if (q.scanId) scan = await scanById(tenantId, q.scanId);
  else if (q.latest) {
    const id = await latestScanId(tenantId);
    scan = id ? await getScan(tenantId, id) : undefined;
    if (!scan) throw new NotFound("scan_id: this organization has no finished scan yet (POST /scan starts one)");
  } else {
    throw new Invalid("query.scan_id: required when latest is false");
  }
  return { scan, nextScanScheduled: (await getSchedule(tenantId))?.nextRun ?? null };
}

/** The tenant's latest finished scan, if any (what other areas read the tenant's posture from). */
export async function latestFinishedScan(tenantId: string): Promise<ScanItem | undefined> {
  const id = await latestScanId(tenantId);
  return id ? getScan(tenantId, id, false) : undefined;
}

/** What the legacy status route shows: the running scan if any, the latest finished one, the schedule. */
export async function scanOverview(
  tenantId: string,
): Promise<{ running: ScanItem | null; latest: ScanItem | null; nextScanScheduled: string | null }> {
  const now = new Date();
  const [recent, latestId, schedule] = await Promise.all([
    recentScans(tenantId, 1),
    latestScanId(tenantId),
    getSchedule(tenantId),
  ]);
  const running = recent[0] && isRunning(recent[0], now) ? recent[0] : null;
  return {
    running,
    latest: latestId ? ((await getScan(tenantId, latestId)) ?? null) : null,
    nextScanScheduled: schedule?.nextRun ?? null,
  };
}

// ── the workflow's tasks ───────────────────────────────────────────────────────────────────────

class ScanCancelled extends Error {
  constructor(by: string | null) {
    super(`cancelled by ${by ?? "a user"}`);
    this.name = "ScanCancelled";
  }
}

const scanIdOf = (state: WorkflowState): string => {
  const id = state.params.scanId;
  if (typeof id !== "string") throw new Error("gateway-scan: the execution carries no scanId");
  return id;
};

/** Runs one component's checks on a fresh snapshot and stores its result on the scan. */
export async function scanComponent(tenantId: string, scanId: string, component: Component, now = new Date()) {
  const scan = await getScan(tenantId, scanId);
  if (!scan) throw new Error(`gateway-scan: no scan ${scanId}`);
  if (scan.cancelRequested) throw new ScanCancelled(scan.cancelledBy);
  if (!scan.components.includes(component) || scan.componentsDone.includes(component)) return { skipped: true };
  const defs = checksFor(component, scan.scanType as ScanType, scan.depth as Depth);
  await setScanPosition(tenantId, scanId, component, "snapshot");
  const snapshot = await snapshotFor(component, tenantId, now);
  const judged: JudgedCheck[] = [];
  for (const def of defs) {
    await setScanPosition(tenantId, scanId, component, def.id);
    const out: CheckOutcome | null = runCheck(def, snapshot, now);
    if (out) judged.push({ ...out, tableSeverity: def.severity });
  }
  const score = scoreComponent(judged);
  const result: ComponentResult = {
    status: score.status,
    score: score.score,
    issues: score.issues,
    checks: judged.map(({ tableSeverity: _, ...c }) => c),
  };
  await addComponentResult(tenantId, scanId, component, result);
  return { skipped: false, issues: result.issues };
}

/** The task handler of one component's step (functions/workflows/gateway-scan/<component>.ts). */
export function scanComponentTask(component: Component) {
  const step = gatewayScan.steps.find((s) => s.label === component);
  if (!step) throw new Error(`gateway-scan has no step for ${component}`);
  return defineTask(gatewayScan.name, step.task, (state) => scanComponent(state.tenantId, scanIdOf(state), component));
}

/** Severity weight of a check id (the table's), for the overall score of stored results. */
const TABLE_SEVERITY = new Map(CHECKS.map((c) => [`${c.component}/${c.id}`, c.severity]));

/** The scan's score, risk and recommendations from its stored component results. */
export function summarize(results: Record<string, ComponentResult>) {
  const components = Object.entries(results).map(([component, r]) => {
    const checks: JudgedCheck[] = r.checks.map((c) => ({
      ...c,
      tableSeverity: TABLE_SEVERITY.get(`${component}/${c.check}`) ?? c.severity,
    }));
    return { score: scoreComponent(checks), checks };
  });
  return overall(components);
}

/** The finisher: completed, failed or cancelled; audit `scan_completed` (→ the tenant's webhooks). */
export async function finishScan(state: WorkflowState, succeeded: boolean, error: string | null): Promise<void> {
  const scanId = scanIdOf(state);
  const scan = await getScan(state.tenantId, scanId);
  if (!scan) return;
  const at = new Date().toISOString();
  const cancelled = scan.cancelRequested && (!succeeded || scan.componentsDone.length < scan.components.length);
  const status = cancelled ? "cancelled" : succeeded ? "completed" : "failed";
  const summary = status === "completed" ? summarize(scan.results) : undefined;
  const ended = await endScan(state.tenantId, scanId, {
    status,
    at,
    error: status === "failed" ? error : status === "cancelled" ? `cancelled by ${scan.cancelledBy ?? "a user"}` : null,
    totalIssues: summary?.totalIssues ?? null,
    securityScore: summary?.securityScore ?? null,
    riskLevel: summary?.riskLevel ?? null,
    recommendations: summary?.recommendations ?? [],
  });
  if (!ended) return;
  if (status === "completed") await setLatest(state.tenantId, scanId, scan.startedAt);
  await appendAudit(state.tenantId, [
    {
      event: "Security Scan Completed",
      eventType: "scan_completed",
      resource: `scans/${scanId}`,
      status: status === "failed" ? "failed" : "success",
      severity: summary && (summary.riskLevel === "high" || summary.riskLevel === "critical") ? "warning" : "info",
      user: scan.startedBy,
      details: {
        scan_id: scanId,
        scan_type: scan.scanType,
        status,
        trigger: scan.trigger,
        components: scan.components,
        total_issues: summary?.totalIssues ?? null,
        security_score: summary?.securityScore ?? null,
        risk_level: summary?.riskLevel ?? null,
        ...(ended.error ? { error: ended.error } : {}),
      },
    },
  ]);
}

export const finishScanTask = defineFinish(gatewayScan.name, async (state, execution) =>
  finishScan(state, execution.status === "succeeded", execution.error),
);
