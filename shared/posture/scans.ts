/**
 * Cloud account scans: starting one (credentials sealed for the scan's duration only, the month's
 * scan counted against the plan), the state machine's steps (shared/workflows/definitions.ts
 * `cloudScan`), and the reads the scan routes answer from.
 *
 *   Validate  → STS GetCallerIdentity; the service × region units
 *   Collect   → one unit each (Map, bounded concurrency); AccessDenied or an opt-in region → skipped
 *   Evaluate  → merged inventory → checks → findings stored, score, alerts reconciled
 *   Notify    → scan.completed, alert.created, alert.resolved webhooks
 *   finish    → credentials deleted, failure recorded (whatever the outcome)
 */
import { countScanUse } from "#shared/billing/limits.ts";
import { decryptSecret, encryptSecret } from "#shared/crypto/envelope.ts";
import { Invalid, NotFound } from "#shared/kit/errors.ts";
import { cloudScan } from "#shared/workflows/definitions.ts";
import { newExecutionId, startWorkflow, type WorkflowState } from "#shared/workflows/engine.ts";
import { reconcileAlerts } from "./alerts.ts";
import { getAlert } from "./db/alerts.ts";
import {
  deleteParts,
  dropCredentials,
  getScan,
  getSealedCredentials,
  listScans,
  putFindings,
  putPart,
  putScan,
  readFindings,
  readParts,
  recordUnit,
  type ScanItem,
  updateScan,
} from "./db/scans.ts";
import { evaluate } from "./evaluate.ts";
import {
  complianceControls,
  compliancePercentage,
  FRAMEWORK_OF,
  type StoredFinding,
  storedFinding,
} from "./findings.ts";
import { type ScanEvent, sendScanEvents } from "./notify.ts";
import { requirePlatformScan } from "./platform.ts";
import { SCAN_SERVICES, type ScanService } from "./providers.ts";
import type { ScanCredentials, StartScanBody } from "./schemas.ts";
import {
  demoSource,
  type InventoryPart,
  type InventorySource,
  mergeParts,
  scanUnits,
  Throttled,
  UnitRefused,
} from "./source.ts";

export type { ScanItem } from "./db/scans.ts";
export type { StoredFinding } from "./findings.ts";

const DEFAULT_SERVICES: readonly ScanService[] = SCAN_SERVICES;

type Mode = ScanItem["credentialMode"];

/** Exactly one way in: access keys (both halves), a role to assume, the platform's own account, or the demo account. */
function credentialMode(c: ScanCredentials): Mode {
  const modes: Mode[] = [];
  if (c.demo) modes.push("demo");
  if (c.access_key_id || c.secret_access_key) modes.push("access_key");
  if (c.role_arn) modes.push("role_arn");
  if (c.platform) modes.push("platform");
  if (modes.length !== 1) {
    throw new Invalid("credentials: give access keys, a role_arn, platform: true or demo: true (exactly one)", [
      {
        loc: ["body", "credentials"],
        msg:
          modes.length === 0
            ? "field required: access_key_id + secret_access_key, role_arn (+ external_id), platform or demo"
            : `only one credential type at a time (got ${modes.join(", ")})`,
        type: modes.length === 0 ? "value_error.missing" : "value_error",
      },
    ]);
  }
  const mode = modes[0] as Mode;
  if (mode === "access_key" && !(c.access_key_id && c.secret_access_key)) {
    const missing = c.access_key_id ? "secret_access_key" : "access_key_id";
    throw new Invalid(`credentials.${missing}: field required`, [
      { loc: ["body", "credentials", missing], msg: "field required", type: "value_error.missing" },
    ]);
  }
  if (mode === "role_arn" && !c.external_id) {
    // Warden assumes a customer's role only with an external id (the confused-deputy guard): its
    // IAM refuses sts:AssumeRole without one, so say so here rather than fail in the scan.
    throw new Invalid("credentials.external_id: field required with role_arn", [
      { loc: ["body", "credentials", "external_id"], msg: "field required with role_arn", type: "value_error.missing" },
    ]);
  }
  if (mode !== "role_arn" && c.external_id) {
    throw new Invalid("credentials.external_id: only with role_arn", [
      { loc: ["body", "credentials", "external_id"], msg: "only with role_arn", type: "value_error" },
    ]);
  }
  return mode;
}

function estimate(units: number): string {
  // Measured against real accounts: a unit takes ~3-10 s; 8 run at once.
  const low = Math.max(1, Math.ceil((units * 3) / 8 / 60));
  const high = Math.max(2, Math.ceil((units * 10) / 8 / 60));
  return `${low}-${high} minutes`;
}

export interface StartedScan {
  scan: ScanItem;
  estimatedDuration: string;
}

export async function startScan(tenantId: string, body: StartScanBody, by: string): Promise<StartedScan> {
  if (body.cloud_provider !== "aws") {
    throw new Invalid(`cloud_provider '${body.cloud_provider}' is not available yet; AWS is (GET /scan/providers)`);
  }
  const mode = credentialMode(body.credentials);
  // The platform's own account: only tenants the deployment names, before anything is counted or stored.
  if (mode === "platform") await requirePlatformScan(tenantId);
  const cfg = body.scan_config;
  const services = [...new Set(cfg.services ?? DEFAULT_SERVICES)];
  const regions = [...new Set(cfg.regions ?? [body.credentials.region ?? "us-east-1"])];
  const home = body.credentials.region ?? regions[0] ?? "us-east-1";
  if (cfg.compliance_frameworks?.includes("soc2")) {
    throw new Invalid("scan_config.compliance_frameworks: no SOC 2 mapping yet (cis, nist, iso27001, fsbp)", [
      { loc: ["body", "scan_config", "compliance_frameworks"], msg: "soc2 is not mapped yet", type: "value_error" },
    ]);
  }
  await countScanUse(tenantId, "cloud");

  const id = newExecutionId("scan");
  const now = new Date().toISOString();
  const { region: _r, ...secret } = body.credentials;
  // Demo and platform scans have no secret to keep: nothing is sealed.
  const sealed = mode === "demo" || mode === "platform" ? null : await encryptSecret(tenantId, JSON.stringify(secret));
  const units = scanUnits(services, regions, home);
  const scan: Omit<ScanItem, "hasCredentials" | "doneUnits"> = {
    id,
    provider: body.cloud_provider,
    status: "initiated",
    createdAt: now,
    startedAt: null,
    completedAt: null,
    startedBy: by,
    region: home,
    regions,
    services,
    frameworks: (cfg.compliance_frameworks ?? ["cis", "fsbp", "nist", "iso27001"]).filter((f) => f !== "soc2"),
    deepScan: cfg.deep_scan,
    credentialMode: mode,
    accountId: null,
    totalUnits: units.length,
    unitsDone: 0,
    skipped: [],
    currentService: null,
    findingsSoFar: 0,
    totalResources: 0,
    findingsCount: 0,
    bySeverity: {},
    byService: {},
    score: null,
    improvementAreas: [],
    complianceSummary: {},
    error: null,
  };
  await putScan(tenantId, scan, sealed);
  try {
    await startWorkflow({
      workflow: cloudScan,
      tenantId,
      subject: id,
      executionId: id,
      startedBy: by,
      params: { demo: body.credentials.demo === "fixed" ? "fixed" : mode === "demo" ? "misconfigured" : null },
    });
  } catch (e) {
    // Never started: the keys go at once, and the scan says why it never ran.
    await dropCredentials(tenantId, id);
    await updateScan(tenantId, id, {
      status: "failed",
      completedAt: new Date().toISOString(),
      error: "the scan could not be started",
    });
    throw e;
  }
  const stored = await getScan(tenantId, id);
  if (!stored) throw new Error(`scan ${id} vanished after start`);
  return { scan: stored, estimatedDuration: estimate(units.length) };
}

export async function scanOf(tenantId: string, id: string): Promise<ScanItem> {
  const scan = await getScan(tenantId, id, false);
  if (!scan) throw new NotFound("Scan not found");
  return scan;
}

export async function scansOf(tenantId: string): Promise<ScanItem[]> {
  return listScans(tenantId);
}

export async function findingsOf(tenantId: string, scanId: string): Promise<StoredFinding[]> {
  return (await readFindings(tenantId, scanId)) as StoredFinding[];
}

// ── the state machine's steps ────────────────────────────────────────────────────────────────

/**
 * The scan's source: the demo account; the platform's own account with the function's own
 * credentials (the tenant's right checked again here, so a tenant dropped from the deployment's
 * list since the start gets no further read); or AWS with the sealed credentials (opened here,
 * never logged).
 */
async function sourceOf(state: WorkflowState, scan: ScanItem): Promise<InventorySource> {
  const demo = state.params.demo;
  if (demo === "misconfigured" || demo === "fixed") return demoSource(demo);
  if (scan.credentialMode === "platform") {
    await requirePlatformScan(state.tenantId);
    const { awsSource } = await import("./adapters/aws.ts");
    return awsSource({ platform: true }, scan.region);
  }
  const sealed = await getSealedCredentials(state.tenantId, scan.id);
  if (!sealed) throw new Error("the scan's credentials are gone (the scan ended)");
  const creds = JSON.parse(await decryptSecret(state.tenantId, sealed)) as ScanCredentials;
  const { awsSource } = await import("./adapters/aws.ts");
  return awsSource(creds, scan.region);
}

async function scanFor(state: WorkflowState): Promise<ScanItem> {
  const scan = await getScan(state.tenantId, state.subject);
  if (!scan) throw new Error(`scan ${state.subject} not found`);
  return scan;
}

/** Validate: the credentials work (STS GetCallerIdentity); the units to collect. */
export async function validateScan(state: WorkflowState) {
  const scan = await scanFor(state);
  const source = await sourceOf(state, scan);
  await updateScan(state.tenantId, scan.id, { status: "running", startedAt: new Date().toISOString() });
  const who = await source.identity();
  await updateScan(state.tenantId, scan.id, { accountId: who.accountId });
  return { accountId: who.accountId, units: scanUnits(scan.services as ScanService[], scan.regions, scan.region) };
}

const errorName = (e: unknown) => (e as { name?: string }).name ?? "Error";

/** Collect: one service in one region. Refusals skip the unit; throttling goes back to the state machine's retry. */
export async function collectUnit(state: WorkflowState, item: unknown) {
  const { service, region } = item as { service: ScanService; region: string };
  const scan = await scanFor(state);
  const source = await sourceOf(state, scan);
  let got: InventoryPart;
  try {
    got = await source.collect(service, region, scan.deepScan ? "deep" : "quick");
  } catch (e) {
    if (e instanceof Throttled) throw e;
    const reason = e instanceof UnitRefused ? e.message : `${errorName(e)}: collection failed`;
    await recordUnit(state.tenantId, scan.id, { service, region, skipped: reason });
    return { service, region, skipped: true, reason };
  }
  await putPart(state.tenantId, scan.id, service, region, got.part);
  await recordUnit(state.tenantId, scan.id, { service, region });
  return { service, region, skipped: false, resources: got.resources };
}

type UnitResult =
  | { service: string; region: string; skipped: boolean; reason?: string; resources?: number }
  | { item: { service: string; region: string }; skipped: true; error: { Error?: string; Cause?: string } };

/** The check services a collector service stands for (`account` settings are read with IAM). */
const CHECK_SERVICES: Record<ScanService, string[]> = {
  s3: ["s3"],
  iam: ["iam", "account"],
  ec2: ["ec2"],
  vpc: ["vpc"],
  rds: ["rds"],
  cloudtrail: ["cloudtrail"],
  kms: ["kms"],
  config: ["config"],
  guardduty: ["guardduty"],
  lambda: ["lambda"],
};

/** Evaluate: merge, check, store findings and score, reconcile alerts. */
export async function evaluateScan(state: WorkflowState) {
  const scan = await scanFor(state);
  const validated = state.results.Validate as { accountId: string };
  const units = (state.results.Collect ?? []) as UnitResult[];
  // Units the Map gave up on (throttled past every retry) are recorded as skipped here.
  for (const u of units) {
    if ("item" in u) {
      await recordUnit(state.tenantId, scan.id, {
        ...u.item,
        skipped: `${u.error.Error ?? "Error"}: gave up after retries`,
      });
    }
  }
  const after = await scanFor(state);
  const skipped = new Set(after.skipped.map((s) => `${s.service}|${s.region}`));
  const source = await sourceOf(state, scan);
  const parts = await readParts(state.tenantId, scan.id);
  const inventory = mergeParts(
    { accountId: validated.accountId, collectedAt: source.collectedAt(), regions: scan.regions },
    parts.map((p) => p.part as InventoryPart["part"]),
  );
  const collected = (scan.services as ScanService[]).filter((s) =>
    scanUnits([s], scan.regions, scan.region).some((u) => !skipped.has(`${u.service}|${u.region}`)),
  );
  const checkServices = collected.flatMap((s) => CHECK_SERVICES[s]);
  // Results of a skipped unit would judge what was never read: dropped, and they resolve nothing.
  const unitOf = (service: string, region: string): string => {
    const collector = (Object.entries(CHECK_SERVICES).find(([, v]) => v.includes(service))?.[0] ??
      service) as ScanService;
    return `${collector}|${region === "global" ? scan.region : region}`;
  };
  const covered = (service: string, region: string) =>
    checkServices.includes(service) && !skipped.has(unitOf(service, region));
  const report = evaluate(inventory, { services: checkServices as never, regions: scan.regions });
  const findings = report.findings.filter((f) => covered(f.service, f.region)).map(storedFinding);
  const failed = findings.filter((f) => f.status === "FAIL");
  const bySeverity: Record<string, number> = { critical: 0, high: 0, medium: 0, low: 0 };
  const byService: Record<string, number> = {};
  for (const f of failed) {
    bySeverity[f.severity] = (bySeverity[f.severity] ?? 0) + 1;
    byService[f.service] = (byService[f.service] ?? 0) + 1;
  }
  const complianceSummary: Record<string, number> = {};
  for (const name of scan.frameworks as (keyof typeof FRAMEWORK_OF)[]) {
    complianceSummary[name] = compliancePercentage(complianceControls(findings, FRAMEWORK_OF[name]));
  }
  await putFindings(state.tenantId, scan.id, findings);
  await deleteParts(state.tenantId, scan.id);
  const alerts = await reconcileAlerts(
    state.tenantId,
    { id: scan.id, provider: scan.provider, accountId: validated.accountId },
    findings,
    covered,
  );
  const completedAt = new Date().toISOString();
  await updateScan(state.tenantId, scan.id, {
    status: "completed",
    completedAt,
    currentService: null,
    totalResources: report.resourcesEvaluated,
    findingsCount: failed.length,
    findingsSoFar: failed.length,
    bySeverity,
    byService,
    score: report.score,
    improvementAreas: report.improvementAreas
      .filter((a) => a.kind === "category" && a.potentialImprovement > 0)
      .slice(0, 5)
      .map((a) => ({ category: a.name, current_score: a.currentScore, potential_improvement: a.potentialImprovement })),
    complianceSummary,
  });
  return {
    findings: failed.length,
    alertsCreated: alerts.created.map((a) => a.id),
    alertsResolved: alerts.resolved.map((a) => a.id),
  };
}

/** Notify: the webhooks. A receiver that is down is logged; the scan still completes. */
export async function notifyScan(state: WorkflowState) {
  const scan = await scanFor(state);
  const ev = state.results.Evaluate as { alertsCreated: number[]; alertsResolved: number[] };
  const events: ScanEvent[] = [];
  for (const [kind, ids] of [
    ["alert.created", ev.alertsCreated],
    ["alert.resolved", ev.alertsResolved],
  ] as const) {
    for (const id of ids) {
      const a = await getAlert(state.tenantId, id);
      if (!a) continue;
      events.push({
        event: kind,
        dedupe: `${scan.id}|${kind}|${id}`,
        data: {
          alert_id: a.id,
          scan_id: scan.id,
          cloud_provider: a.provider,
          severity: a.severity,
          title: a.title,
          resource_id: a.resourceId,
          service: a.service,
          region: a.region,
          finding_id: a.checkId,
          risk_score: a.riskScore,
          status: a.status,
          compliance_violations: a.complianceViolations,
        },
      });
    }
  }
  events.push({
    event: "scan.completed",
    dedupe: `${scan.id}|scan.completed`,
    data: {
      scan_id: scan.id,
      cloud_provider: scan.provider,
      findings_count: scan.findingsCount,
      critical_findings: scan.bySeverity.critical ?? 0,
      high_findings: scan.bySeverity.high ?? 0,
      risk_score: scan.score === null ? null : Math.round((10 - scan.score) * 10) / 10,
      security_score: scan.score,
      services_skipped: scan.skipped,
    },
  });
  return sendScanEvents(state.tenantId, events);
}

/** The finisher's bookkeeping: credentials deleted whatever the outcome; a failure recorded. */
export async function endScan(state: WorkflowState, execution: { status: string; error: string | null }) {
  await dropCredentials(state.tenantId, state.subject);
  if (execution.status === "failed") {
    await deleteParts(state.tenantId, state.subject);
    await updateScan(state.tenantId, state.subject, {
      status: "failed",
      completedAt: new Date().toISOString(),
      currentService: null,
      error: execution.error ?? "scan failed",
    });
  }
}
