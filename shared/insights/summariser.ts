/**
 * The summariser port: turns findings (findings.ts) into the summary's prose. One adapter today,
 * `rules` (the default): a deterministic text built from the findings and the record counts, the
 * same findings giving the same words. An Amazon Bedrock adapter (prose from the same findings,
 * through @aws-sdk/client-bedrock-runtime, with IAM only where enabled) would plug in here with
 * `useSummariser`; that SDK is not a dependency of this repository yet, so there is none.
 */
import type { Findings } from "./findings.ts";

export interface Summariser {
  summarise(f: Findings, timeRange: string): Promise<string>;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export const rulesSummariser: Summariser = {
  async summarise(f, timeRange) {
    const r = f.records;
    if (
      r.audit === 0 &&
      r.firewall_blocks === 0 &&
      r.anomalies === 0 &&
      r.metrics_samples === 0 &&
      f.findings.length === 0
    ) {
      return `No events were recorded in the past ${timeRange}: there is nothing to summarise.`;
    }
    const recorded =
      `In the past ${timeRange}, ${plural(r.audit, "audit event")}, ${plural(r.firewall_blocks, "firewall block")}, ` +
      `${plural(r.metrics_samples, "gateway metrics sample")} ` +
      `and ${plural(r.anomalies, "metrics anomaly", "metrics anomalies")} were recorded`;
    if (f.findings.length === 0) return `${recorded}; no rule found anything that needs attention.`;
    const bySeverity = ["critical", "high", "medium", "low"]
      .map((s) => [s, f.findings.filter((x) => x.severity === s).length] as const)
      .filter(([, n]) => n > 0)
      .map(([s, n]) => `${n} ${s}`);
    return `${recorded}, leading to ${plural(f.findings.length, "finding")} (${bySeverity.join(", ")}): ${f.findings
      .map((x) => x.description)
      .join("; ")}.`;
  },
};

let summariser: Summariser = rulesSummariser;

export function useSummariser(s: Summariser): void {
  summariser = s;
}

export const currentSummariser = (): Summariser => summariser;
