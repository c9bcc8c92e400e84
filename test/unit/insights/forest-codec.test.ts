/** The stored form of a model: exact round trips, its size, and what a damaged one is refused for. */
import { describe, expect, it } from "vitest";
import { IsolationForest, IsolationForestInputError } from "#shared/insights/isolation-forest.ts";
import { loadDataset } from "./golden.ts";

const gateway = loadDataset("gateway-metrics");
const rows = gateway.rows;
const model = new IsolationForest({ contamination: 0.05, seed: 5 }).fit(rows);
const probes = [...rows, [99, 99, 5_000, 500], [-10, 0, 0, 0]];

/** What a store hands back: the JSON text parsed again, nothing shared with the original. */
const reread = (json: unknown): unknown => JSON.parse(JSON.stringify(json));

type Typed = Int16Array | Uint16Array | Float64Array;
function edit<T extends Typed>(base64: string, make: (buffer: ArrayBuffer) => T, change: (values: T) => void): string {
  const bytes = Buffer.from(base64, "base64");
  const values = make(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  change(values);
  return Buffer.from(values.buffer).toString("base64");
}

describe("toJSON / fromJSON", () => {
  it("gives back a model that scores, labels and explains exactly as the original", () => {
    // Act
    const restored = IsolationForest.fromJSON(reread(model));

    // Assert
    expect(restored.scoreSamples(probes)).toEqual(model.scoreSamples(probes));
    expect(restored.predict(probes)).toEqual(model.predict(probes));
    expect(restored.offset).toBe(model.offset);
    expect(restored.featureContributions([99, 99, 5_000, 500])).toEqual(
      model.featureContributions([99, 99, 5_000, 500]),
    );
    expect(restored.confidence([99, 99, 5_000, 500])).toBe(model.confidence([99, 99, 5_000, 500]));
    expect(restored.toJSON()).toEqual(model.toJSON());
  });

  it("round-trips a forest grown on more than 65,535 rows per tree (wide leaf sizes)", () => {
    // Arrange
    const many = Array.from({ length: 70_000 }, (_, i) => [(i * 7919) % 70_001]);
    const wide = new IsolationForest({ nEstimators: 2, maxSamples: 70_000, seed: 1 }).fit(many);
    const probe = [[0], [35_000], [80_000]];

    // Act
    const restored = IsolationForest.fromJSON(reread(wide));

    // Assert
    expect(restored.scoreSamples(probe)).toEqual(wide.scoreSamples(probe));
  });

  it("stores 100 trees of 256 samples well under DynamoDB's 400 KB item limit", () => {
    // Act
    const bytes = JSON.stringify(model).length;

    // Assert
    expect(model.toJSON().forest.trees).toBe(100);
    expect(model.toJSON().forest.maxSamples).toBe(256);
    expect(bytes).toBeLessThan(200 * 1024);
  });
});

describe("fromJSON refuses a damaged model", () => {
  const good = model.toJSON();
  const nodeFeatures = (f: (values: Int16Array) => void) => edit(good.forest.feature, (b) => new Int16Array(b), f);
  const thresholds = (f: (values: Float64Array) => void) => edit(good.forest.threshold, (b) => new Float64Array(b), f);
  const leafSizes = (f: (values: Uint16Array) => void) => edit(good.forest.leafSize, (b) => new Uint16Array(b), f);
  const firstSplit = () => {
    const features = new Int16Array(Buffer.from(good.forest.feature, "base64").buffer.slice(0));
    return features.findIndex((f) => f >= 0);
  };

  it.each([
    ["not an object", "model", "stored model"],
    ["another format", { ...good, format: "sklearn/1" }, "format"],
    ["an unknown field", { ...good, owner: "x" }, "unknown field"],
    ["a forest with fewer trees than nEstimators", { ...good, nEstimators: 101 }, "tree count"],
    [
      "a split on a feature the model does not have",
      { ...good, forest: { ...good.forest, feature: nodeFeatures((v) => v.fill(4, firstSplit(), firstSplit() + 1)) } },
      "splits on feature 4 of 4",
    ],
    [
      "a threshold array cut short",
      {
        ...good,
        forest: {
          ...good.forest,
          threshold: Buffer.from(good.forest.threshold, "base64").subarray(8).toString("base64"),
        },
      },
      "no finite threshold",
    ],
    [
      "a byte missing from an array",
      {
        ...good,
        forest: {
          ...good.forest,
          threshold: Buffer.from(good.forest.threshold, "base64").subarray(1).toString("base64"),
        },
      },
      "byte length",
    ],
    [
      "a NaN threshold",
      { ...good, forest: { ...good.forest, threshold: thresholds((v) => v.fill(Number.NaN, 0, 1)) } },
      "no finite threshold",
    ],
    [
      "leaves that do not add up to ψ rows",
      { ...good, forest: { ...good.forest, leafSize: leafSizes((v) => v.fill((v[0] ?? 0) + 1, 0, 1)) } },
      "holds 257 rows, not 256",
    ],
    [
      "more trees than nodes",
      { ...good, nEstimators: 1e9, forest: { ...good.forest, trees: 1e9 } },
      "1000000000 trees cannot fit",
    ],
    [
      "nodes after the last tree",
      { ...good, forest: { ...good.forest, trees: 99 }, nEstimators: 99 },
      "nodes follow the last tree",
    ],
  ])("%s", (_, stored, message) => {
    // Act
    const read = () => IsolationForest.fromJSON(reread(stored));

    // Assert
    expect(read).toThrow(IsolationForestInputError);
    expect(read).toThrow(message);
  });

  it("refuses a tree deeper than the height limit of its ψ", () => {
    // Arrange: ψ = 2 allows a single split under the root; this tree splits again below it.
    const deep = {
      ...good,
      nEstimators: 1,
      forest: {
        nFeatures: 1,
        maxSamples: 2,
        trees: 1,
        feature: Buffer.from(Int16Array.from([0, 0, -1, -1, -1]).buffer).toString("base64"),
        threshold: Buffer.from(Float64Array.from([1, 0.5]).buffer).toString("base64"),
        leafSize: Buffer.from(Uint16Array.from([1, 1, 1]).buffer).toString("base64"),
      },
    };

    // Act
    const read = () => IsolationForest.fromJSON(reread(deep));

    // Assert
    expect(read).toThrow("deeper than the height limit 1");
  });
});
