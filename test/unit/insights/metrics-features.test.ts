import { describe, expect, it } from "vitest";
import { metricsFeatureValues, trainingFeatures } from "#shared/insights/metrics-features.ts";

const base = {
  cpu: { usage_percent: 30, load_avg_1m: 0.5 },
  memory: { usage_percent: 50 },
};

describe("failed logins and firewall drops as features", () => {
  it("are the interval's counts per minute, so gateways with different intervals compare", () => {
    // Arrange: 10 failed logins in 5 minutes and 2 in 1 minute are the same rate.
    const slow = { ...base, events: { interval_seconds: 300, failed_logins: 10, firewall_drops: 45 } };
    const fast = { ...base, events: { interval_seconds: 60, failed_logins: 2, firewall_drops: 0 } };

    // Act
    const a = metricsFeatureValues(slow);
    const b = metricsFeatureValues(fast);

    // Assert
    expect(a).toMatchObject({ failed_logins_per_min: 2, firewall_drops_per_min: 9 });
    expect(b).toMatchObject({ failed_logins_per_min: 2, firewall_drops_per_min: 0 });
  });

  it("are absent when the sample has no events block or the edge does not follow that log", () => {
    const none = metricsFeatureValues(base);
    const authOnly = metricsFeatureValues({ ...base, events: { interval_seconds: 60, failed_logins: 3 } });

    expect(none).not.toHaveProperty("failed_logins_per_min");
    expect(none).not.toHaveProperty("firewall_drops_per_min");
    expect(authOnly).toHaveProperty("failed_logins_per_min", 3);
    expect(authOnly).not.toHaveProperty("firewall_drops_per_min");
  });

  it("are trained on only when at least 95 % of the samples carry them", () => {
    // Arrange: 20 samples; 19 (95 %) carry failed logins, 18 (90 %) carry drops.
    const samples = Array.from({ length: 20 }, (_, i) =>
      metricsFeatureValues({
        ...base,
        events: {
          interval_seconds: 60,
          ...(i > 0 ? { failed_logins: i % 3 } : {}),
          ...(i > 1 ? { firewall_drops: i } : {}),
        },
      }),
    );

    // Act
    const features = trainingFeatures(samples);

    // Assert
    expect(features).toContain("failed_logins_per_min");
    expect(features).not.toContain("firewall_drops_per_min");
  });
});
