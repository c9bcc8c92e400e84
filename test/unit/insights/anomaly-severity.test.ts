/** An anomaly's severity on the dashboards, from the confidence the model gave it. */
import { describe, expect, it } from "vitest";
import { anomalySeverity, HIGH_CONFIDENCE, MEDIUM_CONFIDENCE } from "#shared/insights/anomalies.ts";

describe("anomalySeverity", () => {
  it("is high from one training-score spread beyond the threshold, medium from half a spread, low below", () => {
    expect(HIGH_CONFIDENCE).toBeCloseTo(Math.tanh(1), 12);
    expect(MEDIUM_CONFIDENCE).toBeCloseTo(Math.tanh(0.5), 12);
    expect(anomalySeverity(1)).toBe("high");
    expect(anomalySeverity(HIGH_CONFIDENCE)).toBe("high");
    expect(anomalySeverity(HIGH_CONFIDENCE - 1e-9)).toBe("medium");
    expect(anomalySeverity(MEDIUM_CONFIDENCE)).toBe("medium");
    expect(anomalySeverity(MEDIUM_CONFIDENCE - 1e-9)).toBe("low");
    expect(anomalySeverity(0)).toBe("low");
  });
});
