/** The isolation forest's own contract: options, input checks, determinism, tree shape, labels. */
import { describe, expect, it } from "vitest";
import { growForest, heightLimit } from "#shared/insights/build-forest.ts";
import { type ForestArrays, LEAF, scoreRows, treeCount, withPathLengths } from "#shared/insights/forest.ts";
import { IsolationForest, IsolationForestInputError } from "#shared/insights/isolation-forest.ts";
import { createRandom } from "#shared/insights/random.ts";
import { loadDataset, loadReference } from "./golden.ts";

const gateway = loadDataset("gateway-metrics");
const rows = gateway.rows;

describe("options", () => {
  it("defaults to sklearn's: 100 trees, max_samples min(256, n), contamination auto", () => {
    // Act
    const model = new IsolationForest().fit(rows);

    // Assert
    const stored = model.toJSON();
    expect(stored.nEstimators).toBe(100);
    expect(stored.forest.trees).toBe(100);
    expect(stored.forest.maxSamples).toBe(256);
    expect(model.offset).toBe(-0.5);
  });

  it("grows each tree on all rows when there are fewer than 256", () => {
    // Act
    const model = new IsolationForest().fit(rows.slice(0, 50));

    // Assert
    expect(model.toJSON().forest.maxSamples).toBe(50);
  });

  it("takes an integer maxSamples, and clamps one above the row count to it (as sklearn does)", () => {
    // Act
    const small = new IsolationForest({ maxSamples: 64 }).fit(rows);
    const clamped = new IsolationForest({ maxSamples: 10_000 }).fit(rows);

    // Assert
    expect(small.toJSON().forest.maxSamples).toBe(64);
    expect(clamped.toJSON().forest.maxSamples).toBe(rows.length);
  });

  it.each([
    [{ nEstimators: 0 }, "nEstimators"],
    [{ nEstimators: 2.5 }, "nEstimators"],
    [{ maxSamples: 0 }, "maxSamples"],
    [{ maxSamples: "all" }, "maxSamples"],
    [{ contamination: 0 }, "contamination"],
    [{ contamination: 0.51 }, "contamination"],
    [{ contamination: "high" }, "contamination"],
    [{ seed: -1 }, "seed"],
    [{ seed: 2 ** 32 }, "seed"],
    [{ maxFeatures: 0.5 }, "maxFeatures"],
  ])("rejects %j, naming %s", (options, field) => {
    // Act
    const make = () => new IsolationForest(options as never);

    // Assert
    expect(make).toThrow(IsolationForestInputError);
    expect(make).toThrow(field);
  });
});

describe("input checks", () => {
  it.each([
    ["an empty X", [], "empty"],
    ["rows without values", [[], []], "no values"],
    ["ragged rows", [[1, 2], [3]], "row 1 has 1 values, expected 2"],
    [
      "NaN",
      [
        [1, 2],
        [Number.NaN, 4],
      ],
      "row 1, feature 0 is NaN",
    ],
    ["Infinity", [[1, Number.POSITIVE_INFINITY]], "row 0, feature 1 is Infinity"],
    ["-Infinity", [[Number.NEGATIVE_INFINITY, 1]], "row 0, feature 0 is -Infinity"],
    ["a string", [[1, "2"]], "row 0, feature 1 is not a number"],
    ["a row that is not an array", [[1, 2], 3], "row 1 is not an array"],
    ["X that is not an array", "1,2", "X must be an array"],
  ])("fit rejects %s with a clear message", (_, X, message) => {
    // Act
    const fit = () => new IsolationForest().fit(X as never);

    // Assert
    expect(fit).toThrow(IsolationForestInputError);
    expect(fit).toThrow(message);
  });

  it("rejects rows whose width differs from the training rows, wherever rows are scored", () => {
    // Arrange
    const model = new IsolationForest().fit(rows);
    const narrow = [[1, 2, 3]];

    // Act & Assert
    expect(() => model.scoreSamples(narrow)).toThrow("row 0 has 3 values, expected 4");
    expect(() => model.predict(narrow)).toThrow(IsolationForestInputError);
    expect(() => model.featureContributions([1, 2, 3])).toThrow(IsolationForestInputError);
    expect(() => model.confidence([1, 2, 3, Number.NaN])).toThrow("is NaN");
  });

  it("refuses to score before it is fitted", () => {
    // Arrange
    const model = new IsolationForest();

    // Act & Assert
    expect(() => model.scoreSamples(rows)).toThrow("not fitted");
    expect(() => model.offset).toThrow("not fitted");
    expect(() => model.toJSON()).toThrow("not fitted");
  });
});

describe("determinism", () => {
  it("builds the same model from the same rows and seed", () => {
    // Act
    const a = new IsolationForest({ seed: 7, contamination: 0.05 }).fit(rows);
    const b = new IsolationForest({ seed: 7, contamination: 0.05 }).fit(rows);

    // Assert
    expect(b.toJSON()).toEqual(a.toJSON());
    expect(b.scoreSamples(rows)).toEqual(a.scoreSamples(rows));
  });

  it("builds different trees for a different seed", () => {
    // Act
    const a = new IsolationForest({ seed: 7 }).fit(rows);
    const b = new IsolationForest({ seed: 8 }).fit(rows);

    // Assert
    expect(b.toJSON().forest.threshold).not.toBe(a.toJSON().forest.threshold);
    expect(b.scoreSamples(rows)).not.toEqual(a.scoreSamples(rows));
  });
});

/** Each node's depth, from the parent-before-child order of the arrays. */
function depthsOf(forest: ForestArrays): Int32Array {
  const depths = new Int32Array(forest.feature.length);
  for (let node = 0; node < forest.feature.length; node++) {
    if (forest.feature[node] === LEAF) continue;
    depths[forest.left[node] ?? 0] = (depths[node] ?? 0) + 1;
    depths[forest.right[node] ?? 0] = (depths[node] ?? 0) + 1;
  }
  return depths;
}

describe("tree growth", () => {
  const grow = (psi: number): ForestArrays => {
    const data = Float64Array.from(rows.flat());
    return growForest(data, rows.length, 4, { nEstimators: 20, maxSamples: psi, random: createRandom(3) });
  };

  it("limits a tree's height to ceil(log2 ψ) and reaches that limit", () => {
    // Arrange
    const forest = grow(256);

    // Act
    const deepest = Math.max(...depthsOf(forest));

    // Assert
    expect(heightLimit(256)).toBe(8);
    expect(deepest).toBe(8);
  });

  it("splits every node into two non-empty parts of its rows, leaves holding all ψ rows", () => {
    // Act
    const forest = grow(100);

    // Assert
    for (let t = 0; t < treeCount(forest); t++) {
      const root = forest.treeStart[t] ?? 0;
      expect(forest.size[root]).toBe(100);
      let leafRows = 0;
      for (let node = root; node < (forest.treeStart[t + 1] ?? 0); node++) {
        if (forest.feature[node] === LEAF) {
          leafRows += forest.size[node] ?? 0;
          continue;
        }
        const left = forest.size[forest.left[node] ?? 0] ?? 0;
        const right = forest.size[forest.right[node] ?? 0] ?? 0;
        expect(left).toBeGreaterThan(0);
        expect(right).toBeGreaterThan(0);
        expect(left + right).toBe(forest.size[node]);
      }
      expect(leafRows).toBe(100);
    }
  });

  it("passes over a constant feature to one that can split, stopping early only when none can", () => {
    // Arrange: column 1 is constant; column 0 is distinct on every row but repeats once in pairs.
    const data = Float64Array.from(Array.from({ length: 128 }, (_, i) => [Math.floor(i / 2), 5]).flat());

    // Act
    const forest = growForest(data, 128, 2, { nEstimators: 20, maxSamples: 128, random: createRandom(9) });

    // Assert: a leaf above the height limit holds one row, or a pair no feature can separate.
    const limit = heightLimit(128);
    const depths = depthsOf(forest);
    for (let node = 0; node < forest.feature.length; node++) {
      if (forest.feature[node] !== LEAF) {
        expect(forest.feature[node]).toBe(0);
      } else if ((depths[node] ?? 0) < limit) {
        expect(forest.size[node]).toBeLessThanOrEqual(2);
      }
    }
  });

  it("scores a row by its leaf's depth plus c(rows in the leaf), normalised by c(ψ)", () => {
    // Arrange: one tree grown on ψ = 4 rows: the root sends 1 row left and 3 right.
    const reference = loadReference();
    const c = (n: number) => reference.average_path_length.c[reference.average_path_length.n.indexOf(n)] ?? Number.NaN;
    const forest = withPathLengths({
      nFeatures: 1,
      maxSamples: 4,
      treeStart: Int32Array.from([0, 3]),
      feature: Int32Array.from([0, LEAF, LEAF]),
      threshold: Float64Array.from([0.5, 0, 0]),
      left: Int32Array.from([1, LEAF, LEAF]),
      right: Int32Array.from([2, LEAF, LEAF]),
      size: Int32Array.from([4, 1, 3]),
    });
    const out = new Float64Array(2);

    // Act
    scoreRows(forest, Float64Array.from([0, 1]), 2, out);

    // Assert
    expect(out[0]).toBeCloseTo(-(2 ** (-1 / c(4))), 12);
    expect(out[1]).toBeCloseTo(-(2 ** (-(1 + c(3)) / c(4))), 12);
  });
});

describe("scores and labels", () => {
  const model = new IsolationForest({ contamination: 0.05, seed: 1 }).fit(rows);

  it("scores an obvious outlier below every training row", () => {
    // Arrange
    const outlier = [99, 99, 5_000, 500];

    // Act
    const [score] = model.scoreSamples([outlier]);
    const training = model.scoreSamples(rows);

    // Assert
    expect(score).toBeLessThan(Math.min(...training));
  });

  it("keeps scores in (-1, 0), the sign convention of sklearn's score_samples", () => {
    // Act
    const scores = model.scoreSamples(rows);

    // Assert
    for (const score of scores) {
      expect(score).toBeLessThan(0);
      expect(score).toBeGreaterThan(-1);
    }
  });

  it("returns decision = score - offset, and labels -1 exactly where the decision is negative", () => {
    // Act
    const scores = model.scoreSamples(rows);
    const decisions = model.decisionFunction(rows);
    const labels = model.predict(rows);

    // Assert
    decisions.forEach((decision, i) => {
      expect(decision).toBe((scores[i] ?? Number.NaN) - model.offset);
      expect(labels[i]).toBe(decision < 0 ? -1 : 1);
    });
  });
});
