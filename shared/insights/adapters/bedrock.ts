/**
 * The Amazon Bedrock summariser: prose written by a foundation model from the same findings the
 * rules summariser reads — never from anything else. Chosen by configuration
 * (`WARDEN_BEDROCK_MODEL_ID`, set by the CDK app from `-c bedrockModelId=` on the summary route
 * only, whose role alone may invoke that model).
 *
 * What the model is given: the period, the record counts and each finding's rule, severity,
 * title, description, affected names and evidence counts (record ids are left out: they add
 * tokens, not meaning); what it is told: write a short summary of these findings only, invent
 * nothing, name no cause the findings do not state. Temperature 0 and a token cap keep the
 * answers stable and short.
 *
 * Where the model cannot help, the deterministic text is the answer: no records at all (there is
 * nothing to write prose about), a Bedrock error (throttled, access denied, model not enabled in
 * the account) or an empty answer. The fallback is logged with the error's name, never with the
 * findings.
 */
import { BedrockRuntimeClient, ConverseCommand } from "@aws-sdk/client-bedrock-runtime";
import { log } from "#shared/kit/log.ts";
import type { Findings } from "../findings.ts";
import type { Summariser } from "../summariser-port.ts";

export const BEDROCK_INSTRUCTIONS =
  "You write the summary section of a security report for the operators of an IoT gateway fleet. " +
  "Use only the findings and counts given in the JSON document. Do not invent events, causes, numbers, " +
  "addresses or devices that are not in it. If there are no findings, say that no rule found anything " +
  "that needs attention. Write at most five plain sentences, most severe first, without headings or lists.";

const MAX_TOKENS = 400;

/** The document the model summarises: the findings without their record ids. */
export function bedrockInput(f: Findings, timeRange: string): string {
  return JSON.stringify({
    time_range: timeRange,
    period: f.period,
    records: f.records,
    findings: f.findings.map((x) => ({
      rule: x.rule,
      severity: x.severity,
      title: x.title,
      description: x.description,
      affected: x.affected,
      evidence_count: x.evidence.count,
      evidence_source: x.evidence.source,
      first_seen: x.first_seen,
      last_seen: x.last_seen,
    })),
  });
}

export function bedrockSummariser(
  modelId: string,
  fallback: Summariser,
  client: BedrockRuntimeClient = new BedrockRuntimeClient({}),
): Summariser {
  return {
    async summarise(f, timeRange) {
      const r = f.records;
      const empty = f.findings.length === 0 && r.audit + r.firewall_blocks + r.anomalies + r.metrics_samples === 0;
      if (empty) return fallback.summarise(f, timeRange);
      try {
        const out = await client.send(
          new ConverseCommand({
            modelId,
            system: [{ text: BEDROCK_INSTRUCTIONS }],
            messages: [{ role: "user", content: [{ text: bedrockInput(f, timeRange) }] }],
            inferenceConfig: { maxTokens: MAX_TOKENS, temperature: 0 },
          }),
        );
        const text = (out.output?.message?.content ?? [])
          .map((c) => c.text ?? "")
          .join("")
          .trim();
        if (text.length > 0) return text;
        log.warn("bedrock summariser returned no text; using the rules summary", { modelId });
      } catch (e) {
        log.warn("bedrock summariser failed; using the rules summary", { modelId, error: (e as Error).name });
      }
      return fallback.summarise(f, timeRange);
    },
  };
}
