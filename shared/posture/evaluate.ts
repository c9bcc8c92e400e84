/**
 * Runs the checks over one account's inventory and turns their results into findings, an account
 * score and the areas where fixing things would raise that score most.
 *
 * A finding's key is (account, check id, resource id): a re-scan of the same account yields the same
 * key for the same resource, so the store updates the finding (FAIL → PASS resolves it) instead of
 * adding a second one. Checks are written so that resource ids do not change with the verdict.
 */
import { ALL_CHECKS, CHECKS_BY_ID } from "./checks/index.ts";
import type { Category, CheckDefinition, Result, Service, Severity } from "./checks/types.ts";
import { GLOBAL_REGION, type Inventory } from "./inventory.ts";

export interface EvaluateOptions {
  /** Registry ids, or definitions to run as given; default: every registered check. */
  checks?: readonly (string | CheckDefinition)[];
  services?: readonly Service[];
  /** Keep results from these regions; global resources (IAM, the account) are always kept. */
  regions?: readonly string[];
}

export interface Finding extends Result {
  key: string;
  accountId: string;
  checkId: string;
  title: string;
  service: Service;
  severity: Severity;
  resourceType: CheckDefinition["resourceType"];
  categories: readonly Category[];
  frameworks: CheckDefinition["frameworks"];
  /** 0–10; see `riskScore`. */
  riskScore: number;
}

export interface ImprovementArea {
  kind: "service" | "category";
  name: string;
  /** The score over this area's checks alone. */
  currentScore: number;
  /** How much the account score rises if every failure in this area is fixed. */
  potentialImprovement: number;
  failedChecks: string[];
  failedResults: number;
}

export interface PostureReport {
  accountId: string;
  collectedAt: string;
  checksRun: number;
  resourcesEvaluated: number;
  findings: Finding[];
  summary: {
    passed: number;
    failed: number;
    manual: number;
    failedBySeverity: Record<Severity, number>;
    failedByService: Partial<Record<Service, number>>;
  };
  score: number;
  improvementAreas: ImprovementArea[];
  /** Checks that threw (a bug, or data no schema foresaw); the rest of the scan still counts. */
  errors: { checkId: string; message: string }[];
}

export function findingKey(accountId: string, checkId: string, resourceId: string): string {
  return `${accountId}|${checkId}|${resourceId}`;
}

/**
 * Risk of one finding, 0–10, on the familiar CVSS bands: a failure scores its severity's base
 * (critical 9, high 7, medium 5, low 3, informational 1) plus 1 when the check is about internet
 * exposure, since reachable-by-anyone is what turns a weakness into an incident; capped at 10.
 * A PASS or MANUAL result carries no risk (0): MANUAL is a question, not a measured exposure.
 */
const SEVERITY_BASE: Record<Severity, number> = { critical: 9, high: 7, medium: 5, low: 3, informational: 1 };
export function riskScore(check: Pick<CheckDefinition, "severity" | "categories">, status: Result["status"]): number {
  if (status !== "FAIL") return 0;
  return Math.min(10, SEVERITY_BASE[check.severity] + (check.categories.includes("internet-exposed") ? 1 : 0));
}

/**
 * The account score, 0–10, after Prowler's ThreatScore (pass rate per requirement, weighted by
 * risk). For every check c with at least one PASS or FAIL result:
 *
 *     score = 10 × Σ_c w(c) · passed_c / (passed_c + failed_c)  /  Σ_c w(c)
 *
 * with w = 16 critical, 8 high, 4 medium, 2 low, 1 informational (each level doubles the one below).
 * Unlike ThreatScore, a check's weight does not grow with its number of resources, so a thousand
 * compliant volumes cannot hide a root user without MFA. MANUAL results do not count; with nothing
 * to count the score is 10. Any added failure lowers the score, and a failure lowers it more the
 * higher its severity.
 */
export const SEVERITY_WEIGHT: Record<Severity, number> = { critical: 16, high: 8, medium: 4, low: 2, informational: 1 };

export interface CheckTally {
  checkId: string;
  severity: Severity;
  passed: number;
  failed: number;
}

export function postureScore(tallies: Iterable<CheckTally>): number {
  let weighted = 0;
  let total = 0;
  for (const t of tallies) {
    const n = t.passed + t.failed;
    if (n === 0) continue;
    const w = SEVERITY_WEIGHT[t.severity];
    weighted += (w * t.passed) / n;
    total += w;
  }
  return total === 0 ? 10 : (10 * weighted) / total;
}

const round1 = (x: number) => Math.round(x * 10) / 10;

function selectChecks(options: EvaluateOptions): CheckDefinition[] {
  let checks: CheckDefinition[];
  if (options.checks) {
    checks = options.checks.map((c) => {
      if (typeof c !== "string") return c;
      const found = CHECKS_BY_ID.get(c);
      if (!found) throw new RangeError(`unknown check id: ${c}`);
      return found;
    });
  } else checks = [...ALL_CHECKS];
  // Naming a check twice must not run it twice: its findings would share keys.
  checks = [...new Map(checks.map((c) => [c.id, c])).values()];
  if (options.services) {
    const wanted = new Set<string>(options.services);
    checks = checks.filter((c) => wanted.has(c.service));
  }
  return checks;
}

function improvementAreas(checks: CheckDefinition[], tallies: Map<string, CheckTally>): ImprovementArea[] {
  const overall = postureScore(tallies.values());
  const groups = new Map<string, { kind: ImprovementArea["kind"]; name: string; checks: CheckDefinition[] }>();
  const add = (kind: ImprovementArea["kind"], name: string, check: CheckDefinition) => {
    const key = `${kind}:${name}`;
    const group = groups.get(key) ?? { kind, name, checks: [] };
    group.checks.push(check);
    groups.set(key, group);
  };
  for (const check of checks) {
    add("service", check.service, check);
    for (const category of check.categories) add("category", category, check);
  }

  const areas: ImprovementArea[] = [];
  for (const { kind, name, checks: members } of groups.values()) {
    const own = members.map((c) => tallies.get(c.id)).filter((t): t is CheckTally => t !== undefined);
    const failing = own.filter((t) => t.failed > 0);
    if (failing.length === 0) continue;
    const fixedIds = new Set(failing.map((t) => t.checkId));
    const fixed = [...tallies.values()].map((t) =>
      fixedIds.has(t.checkId) ? { ...t, passed: t.passed + t.failed, failed: 0 } : t,
    );
    areas.push({
      kind,
      name,
      currentScore: round1(postureScore(own)),
      potentialImprovement: round1(postureScore(fixed) - overall),
      failedChecks: [...fixedIds],
      failedResults: failing.reduce((n, t) => n + t.failed, 0),
    });
  }
  return areas.sort(
    (a, b) =>
      b.potentialImprovement - a.potentialImprovement || a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name),
  );
}

export function evaluate(inventory: Inventory, options: EvaluateOptions = {}): PostureReport {
  const checks = selectChecks(options);
  const regions = options.regions ? new Set([...options.regions, GLOBAL_REGION]) : undefined;
  const accountId = inventory.account.AccountId;
  const findings: Finding[] = [];
  const errors: PostureReport["errors"] = [];
  const tallies = new Map<string, CheckTally>();
  const failedBySeverity: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0, informational: 0 };
  const failedByService: Partial<Record<Service, number>> = {};
  let passed = 0;
  let failed = 0;
  let manual = 0;

  for (const check of checks) {
    let results: Result[];
    try {
      results = check.evaluate(inventory);
    } catch (err) {
      errors.push({ checkId: check.id, message: err instanceof Error ? err.message : String(err) });
      continue;
    }
    const tally: CheckTally = { checkId: check.id, severity: check.severity, passed: 0, failed: 0 };
    for (const r of results) {
      if (regions && !regions.has(r.region)) continue;
      if (r.status === "PASS") {
        tally.passed++;
        passed++;
      } else if (r.status === "FAIL") {
        tally.failed++;
        failed++;
        failedBySeverity[check.severity]++;
        failedByService[check.service] = (failedByService[check.service] ?? 0) + 1;
      } else manual++;
      // Copied field by field: a check cannot slip extra properties into the findings it feeds.
      findings.push({
        status: r.status,
        resourceId: r.resourceId,
        resourceArn: r.resourceArn,
        region: r.region,
        details: r.details,
        key: findingKey(accountId, check.id, r.resourceId),
        accountId,
        checkId: check.id,
        title: check.title,
        service: check.service,
        severity: check.severity,
        resourceType: check.resourceType,
        categories: check.categories,
        frameworks: check.frameworks,
        riskScore: riskScore(check, r.status),
      });
    }
    tallies.set(check.id, tally);
  }

  return {
    accountId,
    collectedAt: inventory.collectedAt,
    checksRun: checks.length - errors.length,
    resourcesEvaluated: new Set(findings.map((f) => f.resourceId)).size,
    findings,
    summary: { passed, failed, manual, failedBySeverity, failedByService },
    score: round1(postureScore(tallies.values())),
    improvementAreas: improvementAreas(checks, tallies),
    errors,
  };
}
