/**
 * The summariser: turns findings (findings.ts) into the summary's prose. Two adapters:
 *   `rules` (the default): a deterministic text built from the findings and the record counts, the
 *     same findings giving the same words;
 *   Amazon Bedrock (adapters/bedrock.ts): prose from the same findings, chosen by configuration —
 *     `WARDEN_BEDROCK_MODEL_ID`, which the CDK app sets from `-c bedrockModelId=` on the summary
 *     route only (the one role allowed to invoke that model). It falls back to `rules` when there
 *     is nothing to summarise or Bedrock fails. Loaded on first use, so no other route pays for it.
 */
import { config } from "#shared/kit/config.ts";
import type { Summariser } from "./summariser-port.ts";

export type { Summariser } from "./summariser-port.ts";

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

let summariser: Summariser | undefined;

export function useSummariser(s: Summariser): void {
  summariser = s;
}

/** The configured summariser (Bedrock when a model is configured, else the rules). */
export async function currentSummariser(): Promise<Summariser> {
  if (summariser) return summariser;
  const modelId = config.WARDEN_BEDROCK_MODEL_ID;
  if (modelId) {
    const { bedrockSummariser } = await import("./adapters/bedrock.ts");
    summariser = bedrockSummariser(modelId, rulesSummariser);
  } else summariser = rulesSummariser;
  return summariser;
}
