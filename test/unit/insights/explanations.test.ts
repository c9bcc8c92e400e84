/** What the insights API shows next to a verdict: which features isolated a row, and how sure it is. */
import { describe, expect, it } from "vitest";
import { IsolationForest } from "#shared/insights/isolation-forest.ts";
import { loadDataset } from "./golden.ts";

// Trained on the gateway fixture's normal rows only: cpu %, memory %, connections, failed logins.
const gateway = loadDataset("gateway-metrics");
const normalRows = gateway.rows.filter((_, i) => gateway.is_anomaly[i] === 0);
const model = new IsolationForest({ contamination: 0.05, seed: 3 }).fit(normalRows);

/** A typical gateway: the per-feature median of the training rows. */
const typical = [0, 1, 2, 3].map((f) => {
  const values = normalRows.map((row) => row[f] ?? 0).sort((a, b) => a - b);
  return values[Math.floor(values.length / 2)] ?? 0;
});
const withValues = (changes: Record<number, number>) => typical.map((v, f) => changes[f] ?? v);

const CPU = 0;
const MEMORY = 1;
const CONNECTIONS = 2;
const FAILED_LOGINS = 3;

const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
const ranked = (shares: number[]) => shares.map((_, f) => f).sort((a, b) => (shares[b] ?? 0) - (shares[a] ?? 0));

describe("featureContributions", () => {
  it.each([
    ["failed logins", FAILED_LOGINS, withValues({ [FAILED_LOGINS]: 45 })],
    ["connections", CONNECTIONS, withValues({ [CONNECTIONS]: 900 })],
    ["cpu", CPU, withValues({ [CPU]: 99 })],
  ])("credits %s with most of the isolation when only that metric is off", (_, feature, row) => {
    // Act
    const shares = model.featureContributions(row);

    // Assert
    expect(ranked(shares)[0]).toBe(feature);
    expect(shares[feature]).toBeGreaterThan(0.5);
  });

  it("puts both metrics on top when two are off together", () => {
    // Arrange
    const row = withValues({ [CPU]: 99, [MEMORY]: 99 });

    // Act
    const shares = model.featureContributions(row);

    // Assert
    expect(ranked(shares).slice(0, 2).sort()).toEqual([CPU, MEMORY]);
  });

  it.each([
    ["an anomaly", withValues({ [FAILED_LOGINS]: 45 })],
    ["a typical row", typical],
  ])("returns non-negative shares summing to 1 for %s", (_, row) => {
    // Act
    const shares = model.featureContributions(row);

    // Assert
    expect(shares).toHaveLength(4);
    for (const share of shares) expect(share).toBeGreaterThanOrEqual(0);
    expect(sum(shares)).toBeCloseTo(1, 12);
  });

  it("shares evenly when the training rows gave the trees nothing to split", () => {
    // Arrange
    const flat = new IsolationForest().fit(Array.from({ length: 10 }, () => [1, 2, 3]));

    // Act
    const shares = flat.featureContributions([5, 5, 5]);

    // Assert
    expect(shares).toEqual([1 / 3, 1 / 3, 1 / 3]);
  });
});

describe("confidence", () => {
  const probes = [
    ...normalRows,
    withValues({ [FAILED_LOGINS]: 45 }),
    withValues({ [CPU]: 99, [MEMORY]: 99 }),
    withValues({ [CONNECTIONS]: 900 }),
  ];
  const decisions = model.decisionFunction(probes);
  const confidences = probes.map((row) => model.confidence(row));

  it("stays within [0, 1]", () => {
    // Assert
    for (const c of confidences) {
      expect(c).toBeGreaterThanOrEqual(0);
      expect(c).toBeLessThanOrEqual(1);
    }
  });

  it("grows with the distance of the decision from the threshold, whichever side it is on", () => {
    // Arrange
    const byDistance = probes
      .map((_, i) => i)
      .sort((a, b) => Math.abs(decisions[a] ?? 0) - Math.abs(decisions[b] ?? 0));

    // Act
    const inThatOrder = byDistance.map((i) => confidences[i] ?? Number.NaN);

    // Assert
    for (let k = 1; k < inThatOrder.length; k++) {
      expect(inThatOrder[k]).toBeGreaterThanOrEqual(inThatOrder[k - 1] ?? Number.NaN);
    }
  });

  it("is high for a blatant anomaly and low for the row closest to the threshold", () => {
    // Arrange
    const blatant = withValues({ [CPU]: 100, [MEMORY]: 100, [CONNECTIONS]: 5_000, [FAILED_LOGINS]: 500 });
    const borderline =
      probes[decisions.reduce((best, d, i) => (Math.abs(d) < Math.abs(decisions[best] ?? 0) ? i : best), 0)] ?? typical;

    // Act
    const sure = model.confidence(blatant);
    const unsure = model.confidence(borderline);

    // Assert
    expect(model.predict([blatant])[0]).toBe(-1);
    expect(sure).toBeGreaterThan(0.9);
    expect(unsure).toBeLessThan(0.2);
  });
});
