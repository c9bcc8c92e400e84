/**
 * Isolation forest for anomaly detection in gateway metrics, held to scikit-learn's
 * `IsolationForest` where its conventions decide a result: parameter names and defaults
 * (`n_estimators`=100, `max_samples`="auto" = min(256, n), `contamination`="auto",
 * `max_features`=1.0 and `bootstrap`=False, the latter two fixed here), the tree growth (see
 * build-forest.ts), `score_samples` (negative: the lower, the more abnormal), `offset_`
 * (-0.5 for "auto", else the numpy percentile of the training scores at 100·contamination),
 * `decision_function` = score − offset and `predict` (-1 where the decision is below 0, else 1).
 * Unlike scikit-learn's default, the random stream is always seeded (default seed 0): a model
 * retrained on the same rows is the same model, which keeps predictions reproducible.
 *
 * Two additions for the insights API: `featureContributions(x)` and `confidence(x)`, each
 * defined where it is implemented below.
 */
import * as z from "zod/mini";
import { growForest } from "./build-forest.ts";
import { type Forest, LEAF, scoreRows, treeCount, withPathLengths } from "./forest.ts";
import { decodeForest, encodeForest, type ForestJson, ForestJsonSchema, MAX_FEATURES } from "./forest-codec.ts";
import { createRandom } from "./random.ts";
import { averagePathLength, percentileOfSorted, robustSpreadOfSorted } from "./statistics.ts";

/** Bad rows, bad options or an unreadable stored model: the caller's input, not a fault of ours. */
export class IsolationForestInputError extends Error {
  override name = "IsolationForestInputError";
}

const OptionsSchema = z.strictObject({
  nEstimators: z.optional(
    z.number().check(z.int("nEstimators must be an integer"), z.gte(1, "nEstimators must be at least 1")),
  ),
  maxSamples: z.optional(
    z.union([
      z.literal("auto"),
      z.number().check(z.int("maxSamples must be an integer"), z.gte(1, "maxSamples must be at least 1")),
    ]),
  ),
  contamination: z.optional(
    z.union([
      z.literal("auto"),
      z.number().check(z.gt(0, "contamination must be above 0"), z.lte(0.5, "contamination must be at most 0.5")),
    ]),
  ),
  seed: z.optional(
    z
      .number()
      .check(
        z.int("seed must be an integer"),
        z.gte(0, "seed must be in [0, 2^32)"),
        z.lte(0xffffffff, "seed must be in [0, 2^32)"),
      ),
  ),
});

export type IsolationForestOptions = z.input<typeof OptionsSchema>;

interface Settings {
  nEstimators: number;
  maxSamples: "auto" | number;
  contamination: "auto" | number;
  seed: number;
}

/** Rows of training scores drawn to estimate their spread (see `confidence`). */
const SPREAD_SAMPLE = 4096;
/** Floor of that spread, for training sets whose rows all score alike. */
const MIN_SPREAD = 1e-9;

/** What `toJSON` returns: settings and fitted values in the clear, trees as base64 typed arrays. */
export interface IsolationForestJson {
  format: "warden.isolation-forest/1";
  nEstimators: number;
  maxSamples: "auto" | number;
  contamination: "auto" | number;
  seed: number;
  offset: number;
  scoreSpread: number;
  forest: ForestJson;
}

const ModelJsonSchema = z.strictObject({
  format: z.literal("warden.isolation-forest/1"),
  nEstimators: z.number().check(z.int(), z.gte(1)),
  maxSamples: z.union([z.literal("auto"), z.number().check(z.int(), z.gte(1))]),
  contamination: z.union([z.literal("auto"), z.number().check(z.gt(0), z.lte(0.5))]),
  seed: z.number().check(z.int(), z.gte(0), z.lte(0xffffffff)),
  offset: z.number(),
  scoreSpread: z.number().check(z.gt(0)),
  forest: ForestJsonSchema,
});

interface Fitted {
  forest: Forest;
  offset: number;
  scoreSpread: number;
}

export class IsolationForest {
  readonly nEstimators: number;
  readonly maxSamples: "auto" | number;
  readonly contamination: "auto" | number;
  readonly seed: number;
  #fitted: Fitted | undefined;

  constructor(options: IsolationForestOptions = {}) {
    const parsed = z.safeParse(OptionsSchema, options);
    if (!parsed.success) throw new IsolationForestInputError(describeIssues(parsed.error));
    this.nEstimators = parsed.data.nEstimators ?? 100;
    this.maxSamples = parsed.data.maxSamples ?? "auto";
    this.contamination = parsed.data.contamination ?? "auto";
    this.seed = parsed.data.seed ?? 0;
  }

  fit(X: readonly (readonly number[])[]): this {
    const { data, nRows, nFeatures } = toMatrix(X, undefined);
    if (nFeatures > MAX_FEATURES) throw new IsolationForestInputError(`at most ${MAX_FEATURES} features are supported`);
    const settings = this.#settings();
    // scikit-learn clamps an integer max_samples above n to n (with a warning).
    const maxSamples = settings.maxSamples === "auto" ? Math.min(256, nRows) : Math.min(settings.maxSamples, nRows);
    const random = createRandom(settings.seed);
    const forest = withPathLengths(
      growForest(data, nRows, nFeatures, { nEstimators: settings.nEstimators, maxSamples, random }),
    );

    let offset = -0.5; // "auto": the original paper's threshold on 2^(-E[h]/c(ψ)), negated
    if (settings.contamination !== "auto") {
      const scores = new Float64Array(nRows);
      scoreRows(forest, data, nRows, scores);
      offset = percentileOfSorted(scores.sort(), 100 * settings.contamination);
    }

    const sample = sampleRows(data, nRows, nFeatures, SPREAD_SAMPLE, random);
    const sampleScores = new Float64Array(sample.nRows);
    scoreRows(forest, sample.data, sample.nRows, sampleScores);
    const scoreSpread = Math.max(robustSpreadOfSorted(sampleScores.sort()), MIN_SPREAD);

    this.#fitted = { forest, offset, scoreSpread };
    return this;
  }

  /** scikit-learn's `offset_`: decisionFunction = scoreSamples − offset. */
  get offset(): number {
    return this.#model().offset;
  }

  get nFeatures(): number {
    return this.#model().forest.nFeatures;
  }

  /** scikit-learn's `score_samples`: in (-1, 0), the lower, the more abnormal. */
  scoreSamples(X: readonly (readonly number[])[]): Float64Array {
    const { forest } = this.#model();
    const { data, nRows } = toMatrix(X, forest.nFeatures);
    const scores = new Float64Array(nRows);
    scoreRows(forest, data, nRows, scores);
    return scores;
  }

  /** scikit-learn's `decision_function`: negative for anomalies. */
  decisionFunction(X: readonly (readonly number[])[]): Float64Array {
    const { offset } = this.#model();
    const scores = this.scoreSamples(X);
    for (let i = 0; i < scores.length; i++) scores[i] = (scores[i] ?? 0) - offset;
    return scores;
  }

  /** scikit-learn's `predict`: -1 for an anomaly, 1 for a normal row. */
  predict(X: readonly (readonly number[])[]): Int8Array {
    const decisions = this.decisionFunction(X);
    const labels = new Int8Array(decisions.length);
    for (let i = 0; i < decisions.length; i++) labels[i] = (decisions[i] ?? 0) < 0 ? -1 : 1;
    return labels;
  }

  /**
   * Each feature's share in isolating x, summing to 1.
   *
   * In every tree, x's path from the root cuts its side of the tree's subsample from ψ rows
   * down to the rows of its leaf; a split that keeps m of a node's n rows contributes ln(n/m)
   * of that reduction (so a split that separates x from most of the rows counts for much, one
   * that sheds a single row for little), credited to the split's feature and normalised within
   * the tree. Trees are then weighted by how much shorter x's path is than c(ψ), the average
   * path: the trees that isolated x early are the ones that say why it is anomalous. When no
   * tree isolated x early (a typical row), every tree weighs the same, so the shares still say
   * which features its paths were cut on. A forest without a single split (all training rows
   * alike) gives every feature the same share.
   */
  featureContributions(x: readonly number[]): number[] {
    const { forest } = this.#model();
    const { data } = toMatrix([x], forest.nFeatures);
    const { feature, threshold, left, right, size, pathLength, treeStart, nFeatures } = forest;
    const average = averagePathLength(forest.maxSamples);
    const weighted = new Float64Array(nFeatures);
    const unweighted = new Float64Array(nFeatures);
    const perTree = new Float64Array(nFeatures);
    let totalWeight = 0;
    let treesWithSplits = 0;

    for (let t = 0; t < treeCount(forest); t++) {
      perTree.fill(0);
      let node = treeStart[t] ?? 0;
      let f = feature[node] ?? LEAF;
      let cut = 0;
      while (f !== LEAF) {
        const child = (data[f] ?? 0) <= (threshold[node] ?? 0) ? (left[node] ?? 0) : (right[node] ?? 0);
        const share = Math.log((size[node] ?? 1) / (size[child] ?? 1));
        perTree[f] = (perTree[f] ?? 0) + share;
        cut += share;
        node = child;
        f = feature[node] ?? LEAF;
      }
      if (cut === 0) continue;
      treesWithSplits++;
      const weight = Math.max(0, average - (pathLength[node] ?? 0));
      totalWeight += weight;
      for (let g = 0; g < nFeatures; g++) {
        const part = (perTree[g] ?? 0) / cut;
        weighted[g] = (weighted[g] ?? 0) + weight * part;
        unweighted[g] = (unweighted[g] ?? 0) + part;
      }
    }

    if (treesWithSplits === 0) return Array.from({ length: nFeatures }, () => 1 / nFeatures);
    const [shares, total] = totalWeight > 0 ? [weighted, totalWeight] : [unweighted, treesWithSplits];
    return Array.from(shares, (v) => v / total);
  }

  /**
   * How sure the verdict on x is, in [0, 1): tanh(|decision(x)| / s), where s is the spread of
   * the training scores (IQR / 1.349, a σ that the anomalies in the tail do not inflate,
   * estimated on up to 4,096 training rows). A row on the threshold gets 0; one spread away,
   * 0.76; two, 0.96. It reads the same for both verdicts: far above the threshold is a
   * confident "normal", far below a confident "anomaly".
   */
  confidence(x: readonly number[]): number {
    const { scoreSpread } = this.#model();
    const decision = this.decisionFunction([x])[0] ?? 0;
    return Math.tanh(Math.abs(decision) / scoreSpread);
  }

  toJSON(): IsolationForestJson {
    const { forest, offset, scoreSpread } = this.#model();
    return {
      format: "warden.isolation-forest/1",
      ...this.#settings(),
      offset,
      scoreSpread,
      forest: encodeForest(forest),
    };
  }

  /** Reads what `toJSON` wrote (after a JSON round trip or not); checks every index and size. */
  static fromJSON(json: unknown): IsolationForest {
    const parsed = z.safeParse(ModelJsonSchema, json);
    if (!parsed.success) throw new IsolationForestInputError(`stored model: ${describeIssues(parsed.error)}`);
    const { nEstimators, maxSamples, contamination, seed, offset, scoreSpread } = parsed.data;
    const decoded = decodeForest(parsed.data.forest);
    if (typeof decoded === "string") throw new IsolationForestInputError(`stored model: ${decoded}`);
    if (treeCount(decoded) !== nEstimators) {
      throw new IsolationForestInputError("stored model: tree count differs from nEstimators");
    }
    const model = new IsolationForest({ nEstimators, maxSamples, contamination, seed });
    model.#fitted = { forest: withPathLengths(decoded), offset, scoreSpread };
    return model;
  }

  #settings(): Settings {
    return {
      nEstimators: this.nEstimators,
      maxSamples: this.maxSamples,
      contamination: this.contamination,
      seed: this.seed,
    };
  }

  #model(): Fitted {
    if (!this.#fitted) throw new Error("IsolationForest is not fitted: call fit() or IsolationForest.fromJSON() first");
    return this.#fitted;
  }
}

interface Matrix {
  data: Float64Array;
  nRows: number;
  nFeatures: number;
}

/**
 * Checks rows and copies them row-major into one typed array (one allocation per call, none
 * per row). `nFeatures` is the fitted width, or undefined when fitting (the first row sets it).
 */
function toMatrix(X: unknown, nFeatures: number | undefined): Matrix {
  if (!Array.isArray(X)) throw new IsolationForestInputError("X must be an array of rows");
  if (X.length === 0) throw new IsolationForestInputError("X is empty: at least one row is needed");
  const first: unknown = X[0];
  const width = nFeatures ?? (Array.isArray(first) ? first.length : 0);
  if (width === 0) throw new IsolationForestInputError("row 0 has no values: at least one feature is needed");
  const data = new Float64Array(X.length * width);
  for (let i = 0; i < X.length; i++) {
    const row: unknown = X[i];
    if (!Array.isArray(row)) throw new IsolationForestInputError(`row ${i} is not an array`);
    if (row.length !== width) {
      throw new IsolationForestInputError(`row ${i} has ${row.length} values, expected ${width}`);
    }
    for (let f = 0; f < width; f++) {
      const v: unknown = row[f];
      if (typeof v !== "number") throw new IsolationForestInputError(`row ${i}, feature ${f} is not a number`);
      if (!Number.isFinite(v))
        throw new IsolationForestInputError(`row ${i}, feature ${f} is ${v}: values must be finite`);
      data[i * width + f] = v;
    }
  }
  return { data, nRows: X.length, nFeatures: width };
}

/** Up to `limit` rows drawn without replacement (all rows, in order, when there are no more). */
function sampleRows(
  data: Float64Array,
  nRows: number,
  nFeatures: number,
  limit: number,
  random: { below(n: number): number },
): Matrix {
  if (nRows <= limit) return { data, nRows, nFeatures };
  const order = new Int32Array(nRows);
  for (let i = 0; i < nRows; i++) order[i] = i;
  const sample = new Float64Array(limit * nFeatures);
  for (let k = 0; k < limit; k++) {
    const j = k + random.below(nRows - k);
    const row = order[j] ?? 0;
    order[j] = order[k] ?? 0;
    sample.set(data.subarray(row * nFeatures, (row + 1) * nFeatures), k * nFeatures);
  }
  return { data: sample, nRows: limit, nFeatures };
}

function describeIssues(error: z.core.$ZodError): string {
  return error.issues
    .map((issue) => {
      const where = issue.path.map(String).join(".");
      const what = issue.code === "unrecognized_keys" ? `unknown field(s) ${issue.keys.join(", ")}` : issue.message;
      return where ? `${where}: ${what}` : what;
    })
    .join("; ");
}
