/**
 * Cloudsentinel reports, from stored scans and alerts only: the dashboard, the security score and
 * its trend, the compliance report of a framework, and the exports (exports.ts).
 *
 * Scores: a scan's `security_score` (0–10, 10 best) is evaluate.ts's ThreatScore-like formula
 * (severity-weighted pass rate per check). The account's score is its latest completed scan's; the
 * tenant's overall score is the mean over its accounts. `risk_score` on the dashboard is the
 * complement (10 − score): high means risky, as on findings.
 */
import { Invalid } from "#shared/kit/errors.ts";
import { alertsOf, alertTrends } from "./alerts.ts";
import { FRAMEWORKS } from "./checks/frameworks.ts";
import type { ScanItem } from "./db/scans.ts";
import { complianceControls, compliancePercentage, FRAMEWORK_OF } from "./findings.ts";
import { findingsOf, scansOf } from "./scans.ts";
import type { FrameworkName } from "./schemas.ts";

const round1 = (x: number) => Math.round(x * 10) / 10;
const mean = (xs: number[]) => (xs.length === 0 ? null : round1(xs.reduce((a, b) => a + b, 0) / xs.length));

/** Each account's latest completed scan (scans come newest first). */
function latestPerAccount(scans: readonly ScanItem[]): ScanItem[] {
  const seen = new Map<string, ScanItem>();
  for (const s of scans) {
    if (s.status !== "completed" || !s.accountId || seen.has(`${s.provider}|${s.accountId}`)) continue;
    seen.set(`${s.provider}|${s.accountId}`, s);
  }
  return [...seen.values()];
}

export async function dashboard(tenantId: string, now = new Date()) {
  const [scans, alerts] = await Promise.all([scansOf(tenantId), alertsOf(tenantId)]);
  const latest = latestPerAccount(scans);
  const score = mean(latest.map((s) => s.score ?? 10));
  const compliance: Record<string, number[]> = {};
  for (const s of latest)
    for (const [fw, pct] of Object.entries(s.complianceSummary)) compliance[fw] = [...(compliance[fw] ?? []), pct];
  return {
    total_scans: scans.length,
    active_alerts: alerts.filter((a) => a.status === "open" || a.status === "acknowledged").length,
    risk_score: score === null ? null : round1(10 - score),
    security_score: score,
    resources_monitored: latest.reduce((n, s) => n + s.totalResources, 0),
    recent_scans: scans.slice(0, 5).map((s) => ({
      id: s.id,
      cloud_provider: s.provider,
      status: s.status,
      completed_at: s.completedAt,
      findings: s.findingsCount,
      risk_score: s.score === null ? null : round1(10 - s.score),
    })),
    alert_trends: alertTrends(alerts, 7, now),
    compliance_summary: Object.fromEntries(Object.entries(compliance).map(([fw, xs]) => [fw, mean(xs) ?? 0])),
  };
}

type Trend = "improving" | "stable" | "declining";
/** Compares the last score with the one before: a change under 0.2 is noise. */
const trendOf = (scores: number[]): Trend => {
  if (scores.length < 2) return "stable";
  const d = (scores[0] ?? 0) - (scores[1] ?? 0);
  return d >= 0.2 ? "improving" : d <= -0.2 ? "declining" : "stable";
};

export async function securityScore(tenantId: string) {
  const scans = (await scansOf(tenantId)).filter((s) => s.status === "completed" && s.score !== null);
  const latest = latestPerAccount(scans);
  const by_provider: Record<string, { score: number; trend: Trend; last_scan: string | null }> = {};
  for (const provider of new Set(latest.map((s) => s.provider))) {
    const own = scans.filter((s) => s.provider === provider);
    const current = mean(latest.filter((s) => s.provider === provider).map((s) => s.score ?? 10)) ?? 10;
    by_provider[provider] = {
      score: current,
      trend: trendOf(own.map((s) => s.score ?? 10)),
      last_scan: own[0]?.completedAt ?? null,
    };
  }
  // One point per day: the mean of that day's last score of each account.
  const days = new Map<string, Map<string, number>>();
  for (const s of scans) {
    const day = (s.completedAt ?? s.createdAt).slice(0, 10);
    const perAccount = days.get(day) ?? new Map<string, number>();
    if (!perAccount.has(s.accountId ?? "")) perAccount.set(s.accountId ?? "", s.score ?? 10);
    days.set(day, perAccount);
  }
  const trends = [...days.entries()]
    .sort(([a], [b]) => b.localeCompare(a))
    .slice(0, 30)
    .map(([date, m]) => ({ date, score: mean([...m.values()]) ?? 10 }));
  const areas = new Map<string, { category: string; current_score: number; potential_improvement: number }>();
  for (const s of latest)
    for (const a of s.improvementAreas) {
      const prev = areas.get(a.category);
      if (!prev || prev.potential_improvement < a.potential_improvement) areas.set(a.category, a);
    }
  return {
    overall_score: mean(latest.map((s) => s.score ?? 10)),
    score_trend: trendOf(trends.map((t) => t.score)),
    by_provider,
    trends,
    improvement_areas: [...areas.values()].sort((a, b) => b.potential_improvement - a.potential_improvement),
  };
}

export function frameworkOf(name: FrameworkName) {
  if (name === "soc2") {
    throw new Invalid("framework: no SOC 2 mapping yet (cis, nist, iso27001, fsbp)", [
      { loc: ["query", "framework"], msg: "soc2 is not mapped yet", type: "value_error" },
    ]);
  }
  return FRAMEWORK_OF[name];
}

/** The framework's requirements as the latest completed scan judged them (passed/failed, affected resources). */
export async function complianceReport(tenantId: string, name: FrameworkName, provider?: string) {
  const framework = frameworkOf(name);
  const scans = (await scansOf(tenantId)).filter(
    (s) => s.status === "completed" && (!provider || s.provider === provider),
  );
  const last = scans[0];
  const findings = last ? await findingsOf(tenantId, last.id) : [];
  const controls = complianceControls(findings, framework);
  const passed = controls.filter((c) => c.status === "passed").length;
  return {
    framework: name,
    framework_name: FRAMEWORKS[framework].name,
    scan_id: last?.id ?? null,
    compliance_percentage: compliancePercentage(controls),
    total_controls: controls.length,
    passed_controls: passed,
    failed_controls: controls.length - passed,
    controls: controls.map((c) =>
      c.status === "passed" ? { ...c, evidence: `Checks ${c.checks.join(", ")} passed on every resource` } : c,
    ),
  };
}
