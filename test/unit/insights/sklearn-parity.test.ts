/**
 * The isolation forest against scikit-learn's IsolationForest on the same rows (fixtures from
 * golden/make-golden.py). Two forests never share trees, so scores are compared where the
 * randomness of the trees allows it: at 100 trees (the default) on what the insights API shows
 * (ranking of known anomalies, share flagged, the flags themselves), at 1,000 trees score for
 * score, and across seeds against the spread of sklearn's own seeds.
 */
import { describe, expect, it } from "vitest";
import { IsolationForest } from "#shared/insights/isolation-forest.ts";
import { averagePathLength, percentileOfSorted } from "#shared/insights/statistics.ts";
import { DATASETS, loadDataset, loadReference, mean, rocAuc, spearman } from "./golden.ts";

const SEED = 42;

describe("the test's own measures", () => {
  const reference = loadReference();

  it("computes Spearman's rank correlation as scipy does, ties included", () => {
    // Arrange
    const { a, b, scipy } = reference.spearman;

    // Act
    const rho = spearman(a, b);

    // Assert
    expect(rho).toBeCloseTo(scipy, 12);
  });

  it("computes ROC AUC as sklearn does, ties across classes included", () => {
    // Arrange
    const { labels, scores, sklearn } = reference.roc_auc;

    // Act
    const auc = rocAuc(labels, scores);

    // Assert
    expect(auc).toBeCloseTo(sklearn, 12);
  });
});

describe("numeric rules shared with scikit-learn and numpy", () => {
  const reference = loadReference();

  it.each(reference.average_path_length.n.map((n, i) => [n, reference.average_path_length.c[i] ?? Number.NaN]))(
    "c(%i) is sklearn's _average_path_length",
    (n, expected) => {
      // Act
      const c = averagePathLength(n);

      // Assert
      expect(c).toBeCloseTo(expected, 12);
    },
  );

  it("places a percentile exactly where numpy.percentile does (how offset_ is set)", () => {
    // Arrange
    const sorted = Float64Array.from(reference.percentile.values).sort();

    // Act
    const ours = reference.percentile.q.map((q) => percentileOfSorted(sorted, q));

    // Assert
    expect(ours).toEqual(reference.percentile.numpy);
  });

  it("scores every row -0.5 after fitting a single row, as sklearn defines it", () => {
    // Arrange
    const { rows, probe, score_samples } = reference.one_row;

    // Act
    const scores = new IsolationForest({ seed: SEED }).fit(rows).scoreSamples(probe);

    // Assert
    expect(Array.from(scores)).toEqual(score_samples);
  });

  it("makes a single leaf of identical rows, scoring like sklearn", () => {
    // Arrange
    const { rows, probe, score_samples } = reference.identical_rows;

    // Act
    const scores = new IsolationForest({ seed: SEED }).fit(rows).scoreSamples(probe);

    // Assert
    scores.forEach((score, i) => {
      expect(score).toBeCloseTo(score_samples[i] ?? Number.NaN, 12);
    });
  });
});

const datasets = DATASETS.map(loadDataset);

describe.each(datasets.filter((d) => d.contamination !== "auto"))("with a contamination, on $name", (data) => {
  it("flags the contamination's share of the training rows (±1 point)", () => {
    // Arrange
    const contamination = Number(data.contamination);

    // Act
    const labels = new IsolationForest({ contamination, seed: SEED }).fit(data.rows).predict(data.rows);

    // Assert
    const share = mean(Array.from(labels, (label) => (label === -1 ? 1 : 0)));
    expect(Math.abs(share - contamination)).toBeLessThanOrEqual(0.01);
  });
});

describe.each(datasets.filter((d) => d.contamination === "auto"))('with contamination "auto", on $name', (data) => {
  it("uses the paper's threshold, offset -0.5, as sklearn does", () => {
    // Act
    const model = new IsolationForest({ contamination: "auto", seed: SEED }).fit(data.rows);

    // Assert
    expect(model.offset).toBe(data.sklearn.offset_);
  });
});

describe.each(datasets)("on $name", (data) => {
  const contamination = data.contamination;

  describe("at 100 trees, as fitted by default", () => {
    const model = new IsolationForest({ contamination, seed: SEED }).fit(data.rows);
    const scores = model.scoreSamples(data.rows);
    const labels = model.predict(data.rows);

    it("ranks the labelled anomalies as well as sklearn (ROC AUC within 0.01)", () => {
      // Act
      const auc = rocAuc(
        data.is_anomaly,
        Array.from(scores, (s) => -s),
      );

      // Assert
      expect(Math.abs(auc - data.sklearn.roc_auc)).toBeLessThanOrEqual(0.01);
    });

    it("flags the same rows as sklearn (>= 95% agreement)", () => {
      // Act
      const agreement = mean(Array.from(labels, (label, i) => (label === data.sklearn.predict[i] ? 1 : 0)));

      // Assert
      expect(agreement).toBeGreaterThanOrEqual(0.95);
    });

    it("agrees with sklearn's ranking as closely as sklearn's own seeds do (mean Spearman over 10 seeds)", () => {
      // Arrange
      const seeds = Array.from({ length: 10 }, (_, i) => 100 + i);
      const sklearnToItself = mean(data.sklearn_seed_noise.spearman_with_reference);

      // Act
      const oursToSklearn = mean(
        seeds.map((seed) =>
          spearman(
            new IsolationForest({ contamination, seed }).fit(data.rows).scoreSamples(data.rows),
            data.sklearn.score_samples,
          ),
        ),
      );

      // Assert
      expect(oursToSklearn).toBeGreaterThanOrEqual(sklearnToItself - 0.01);
    });
  });

  describe("at 1,000 trees, where the trees' randomness averages out", () => {
    const ours = new IsolationForest({ nEstimators: data.sklearn_many_trees.n_estimators, seed: SEED })
      .fit(data.rows)
      .scoreSamples(data.rows);
    const theirs = data.sklearn_many_trees.score_samples;

    it("ranks rows as sklearn does (Spearman >= 0.98)", () => {
      // Act
      const rho = spearman(ours, theirs);

      // Assert
      expect(rho).toBeGreaterThanOrEqual(0.98);
    });

    it("gives the same scores, not only the same order (no offset between them, small differences)", () => {
      // Act
      const differences = Array.from(ours, (score, i) => score - (theirs[i] ?? Number.NaN));

      // Assert: a path counted one edge long or short, or c(n) left off at the leaves, would
      // shift every score by 0.03 or more.
      expect(Math.abs(mean(differences))).toBeLessThanOrEqual(0.01);
      expect(mean(differences.map(Math.abs))).toBeLessThanOrEqual(0.006);
    });
  });
});
