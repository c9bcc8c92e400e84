/** The deterministic summariser: says there is nothing when there are no records, and never adds what the findings do not hold. */
import { describe, expect, it } from "vitest";
import type { Finding, Findings } from "#shared/insights/findings.ts";
import { riskOf } from "#shared/insights/findings.ts";
import { rulesSummariser } from "#shared/insights/summariser.ts";

const period = { start: "2026-11-29T00:00:00.000Z", end: "2026-11-30T00:00:00.000Z", hours: 24 };

const finding = (severity: Finding["severity"], description: string): Finding => ({
  rule: "repeated_blocks",
  severity,
  confidence: 0.5,
  title: "t",
  description,
  affected: [],
  evidence: { source: "firewall", count: 20, record_ids: [] },
  first_seen: null,
  last_seen: null,
});

describe("rulesSummariser", () => {
  it("says there is nothing to summarise when no record exists", async () => {
    // Arrange
    const f: Findings = {
      period,
      findings: [],
      records: { audit: 0, firewall_blocks: 0, anomalies: 0, metrics_samples: 0 },
    };

    // Act
    const text = await rulesSummariser.summarise(f, "24h");

    // Assert
    expect(text).toBe("No events were recorded in the past 24h: there is nothing to summarise.");
  });

  it("counts the records and says no rule fired when records exist but nothing stands out", async () => {
    // Arrange
    const f: Findings = {
      period,
      findings: [],
      records: { audit: 3, firewall_blocks: 1, anomalies: 0, metrics_samples: 5 },
    };

    // Act
    const text = await rulesSummariser.summarise(f, "7d");

    // Assert
    expect(text).toBe(
      "In the past 7d, 3 audit events, 1 firewall block, 5 gateway metrics samples and 0 metrics anomalies were recorded; no rule found anything that needs attention.",
    );
  });

  it("lists each finding's own description, by severity", async () => {
    // Arrange
    const f: Findings = {
      period,
      findings: [finding("high", "a was blocked 120 times"), finding("medium", "b was blocked 30 times")],
      records: { audit: 0, firewall_blocks: 150, anomalies: 0, metrics_samples: 0 },
    };

    // Act
    const text = await rulesSummariser.summarise(f, "24h");

    // Assert
    expect(text).toBe(
      "In the past 24h, 0 audit events, 150 firewall blocks, 0 gateway metrics samples and 0 metrics anomalies were recorded, leading to 2 findings " +
        "(1 high, 1 medium): a was blocked 120 times; b was blocked 30 times.",
    );
  });
});

describe("riskOf", () => {
  it("is the highest severity found, and low without findings", () => {
    expect(riskOf([])).toBe("low");
    expect(riskOf([finding("medium", ""), finding("critical", ""), finding("high", "")])).toBe("critical");
  });
});
