/**
 * The Bedrock summariser against a mocked Bedrock Runtime (aws-sdk-client-mock: Amazon Bedrock
 * cannot run here). What it sends — the findings and counts without record ids, the instructions,
 * temperature 0 — and that the rules text answers whenever the model cannot: no records at all, an
 * error, an empty answer.
 */
import { BedrockRuntimeClient, ConverseCommand } from "@aws-sdk/client-bedrock-runtime";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { BEDROCK_INSTRUCTIONS, bedrockSummariser } from "#shared/insights/adapters/bedrock.ts";
import type { Finding, Findings } from "#shared/insights/findings.ts";
import { rulesSummariser } from "#shared/insights/summariser.ts";

const bedrock = mockClient(BedrockRuntimeClient);
const MODEL = "anthropic.claude-3-5-haiku-20241022-v1:0";
const period = { start: "2025-03-14T10:00:00.000Z", end: "2025-03-15T10:00:00.000Z", hours: 24 };
const finding: Finding = {
  rule: "repeated_blocks",
  severity: "high",
  confidence: 0.83,
  title: "Repeated blocks from 203.0.113.7",
  description: "203.0.113.7 was blocked 120 times by the firewall of 1 gateway(s)",
  affected: ["203.0.113.7", "gateway/1"],
  evidence: { source: "firewall", count: 120, record_ids: ["fw-secret-id-1"] },
  first_seen: "2025-03-15T01:00:00.000Z",
  last_seen: "2025-03-15T09:00:00.000Z",
};
const withFinding: Findings = {
  period,
  findings: [finding],
  records: { audit: 4, firewall_blocks: 120, anomalies: 0, metrics_samples: 10 },
};
const summariser = () => bedrockSummariser(MODEL, rulesSummariser, new BedrockRuntimeClient({ region: "eu-west-1" }));

beforeEach(() => bedrock.reset());

describe("Bedrock summariser", () => {
  it("sends the findings without record ids and the instructions, and answers with the model's text", async () => {
    // Arrange
    bedrock.on(ConverseCommand).resolves({
      output: { message: { role: "assistant", content: [{ text: "  One source was blocked 120 times.  " }] } },
    } as never);

    // Act
    const text = await summariser().summarise(withFinding, "24h");

    // Assert
    expect(text).toBe("One source was blocked 120 times.");
    const [call] = bedrock.commandCalls(ConverseCommand);
    const input = call?.args[0].input;
    expect(input?.modelId).toBe(MODEL);
    expect(input?.system).toEqual([{ text: BEDROCK_INSTRUCTIONS }]);
    expect(input?.inferenceConfig).toMatchObject({ temperature: 0 });
    const sent = JSON.parse(input?.messages?.[0]?.content?.[0]?.text ?? "{}");
    expect(sent.records).toEqual(withFinding.records);
    expect(sent.findings[0]).toMatchObject({ rule: "repeated_blocks", evidence_count: 120 });
    expect(JSON.stringify(sent)).not.toContain("fw-secret-id-1");
  });

  it("does not call the model when there are no records, and says there is nothing to summarise", async () => {
    // Arrange
    const empty: Findings = {
      period,
      findings: [],
      records: { audit: 0, firewall_blocks: 0, anomalies: 0, metrics_samples: 0 },
    };

    // Act
    const text = await summariser().summarise(empty, "24h");

    // Assert
    expect(bedrock.commandCalls(ConverseCommand)).toHaveLength(0);
    expect(text).toBe(await rulesSummariser.summarise(empty, "24h"));
  });

  it("answers with the rules text when Bedrock refuses or returns nothing", async () => {
    // Arrange
    const denied = Object.assign(new Error("not authorized"), { name: "AccessDeniedException" });
    bedrock
      .on(ConverseCommand)
      .rejectsOnce(denied)
      .resolvesOnce({ output: { message: { role: "assistant", content: [] } } } as never);
    const expected = await rulesSummariser.summarise(withFinding, "24h");

    // Act
    const afterError = await summariser().summarise(withFinding, "24h");
    const afterEmpty = await summariser().summarise(withFinding, "24h");

    // Assert
    expect(afterError).toBe(expected);
    expect(afterEmpty).toBe(expected);
    expect(bedrock.commandCalls(ConverseCommand)).toHaveLength(2);
  });
});
