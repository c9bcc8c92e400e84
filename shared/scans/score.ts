/**
 * How a scan's findings become scores (pure; unit-tested):
 *
 *   weight(severity)     low 1, medium 3, high 6, critical 10
 *   penalty(check)       0 for a pass, weight/2 for a warning, weight for a failure
 *   component score      round(100 × (1 − Σ penalty / Σ weight(check's table severity)))
 *   security_score       the components' scores averaged, weighted by their Σ weight (a component
 *                        with more and graver checks counts more); 100 when nothing was judged
 *   risk_level           critical: a critical check failed; high: a high check failed or score < 50;
 *                        medium: any other failure, a warning of medium or more, or score < 80; else low
 *   component status     fail if a check failed, warning if one warned, else pass
 *   recommendations      the remediation text of each check that did not pass, gravest first, once each
 */
import type { CheckOutcome, Severity } from "./checks.ts";

export const SEVERITY_WEIGHT: Record<Severity, number> = { low: 1, medium: 3, high: 6, critical: 10 };
const RANK: Record<Severity, number> = { low: 0, medium: 1, high: 2, critical: 3 };

export interface JudgedCheck extends CheckOutcome {
  /** The severity the check table gives it (what a failure weighs). */
  tableSeverity: Severity;
}

export interface ComponentScore {
  status: "pass" | "warning" | "fail";
  score: number;
  issues: number;
  /** Σ weight of the component's checks: its share of the overall score. */
  weight: number;
}

export function scoreComponent(checks: readonly JudgedCheck[]): ComponentScore {
  const weight = checks.reduce((n, c) => n + SEVERITY_WEIGHT[c.tableSeverity], 0);
  const penalty = checks.reduce(
    (n, c) =>
      n +
      (c.status === "fail"
        ? SEVERITY_WEIGHT[c.tableSeverity]
        : c.status === "warning"
          ? SEVERITY_WEIGHT[c.tableSeverity] / 2
          : 0),
    0,
  );
  const status = checks.some((c) => c.status === "fail")
    ? "fail"
    : checks.some((c) => c.status === "warning")
      ? "warning"
      : "pass";
  return {
    status,
    score: weight === 0 ? 100 : Math.round(100 * (1 - penalty / weight)),
    issues: checks.filter((c) => c.status !== "pass").length,
    weight,
  };
}

export interface Overall {
  securityScore: number;
  riskLevel: "low" | "medium" | "high" | "critical";
  totalIssues: number;
  recommendations: string[];
}

export function overall(components: readonly { score: ComponentScore; checks: readonly JudgedCheck[] }[]): Overall {
  const weight = components.reduce((n, c) => n + c.score.weight, 0);
  const securityScore =
    weight === 0 ? 100 : Math.round(components.reduce((n, c) => n + c.score.score * c.score.weight, 0) / weight);
  const all = components.flatMap((c) => c.checks);
  const failed = all.filter((c) => c.status === "fail");
  const warned = all.filter((c) => c.status === "warning");
  let riskLevel: Overall["riskLevel"] = "low";
  if (failed.some((c) => c.tableSeverity === "critical")) riskLevel = "critical";
  else if (failed.some((c) => c.tableSeverity === "high") || securityScore < 50) riskLevel = "high";
  else if (failed.length > 0 || warned.some((c) => RANK[c.tableSeverity] >= RANK.medium) || securityScore < 80)
    riskLevel = "medium";
  const open = [...failed, ...warned].sort(
    (a, b) =>
      RANK[b.tableSeverity] - RANK[a.tableSeverity] || (a.status === b.status ? 0 : a.status === "fail" ? -1 : 1),
  );
  const recommendations = [...new Set(open.map((c) => c.remediation).filter((r): r is string => r !== null))];
  return { securityScore, riskLevel, totalIssues: failed.length + warned.length, recommendations };
}
