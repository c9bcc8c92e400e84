/**
 * Growing the trees, as scikit-learn's IsolationForest does with `bootstrap=False` and
 * `max_features=1.0`: each tree is an ExtraTreeRegressor(max_features=1, splitter="random")
 * grown on ψ rows drawn without replacement, to depth ceil(log2(ψ)).
 *
 * At a node, scikit-learn's random splitter draws features without replacement until it meets
 * one that is not constant on the node's rows (range <= 1e-7 counts as constant), draws the
 * threshold uniformly in [min, max) of that feature and sends `value <= threshold` left. A node
 * is a leaf when it is at the height limit, holds fewer than 2 rows, or every feature is
 * constant on it. (Its MSE criterion on random targets never stops a split earlier, so it plays
 * no part here.) The random streams differ from numpy's, so trees are the same in distribution,
 * not in bits.
 */
import { type ForestArrays, LEAF } from "./forest.ts";
import type { Random } from "./random.ts";

/** scikit-learn's FEATURE_THRESHOLD: narrower ranges are treated as constant. */
const FEATURE_THRESHOLD = 1e-7;

export interface GrowSettings {
  nEstimators: number;
  maxSamples: number;
  random: Random;
}

/** Height limit of a tree grown on ψ rows, as scikit-learn sets `max_depth`. */
export function heightLimit(maxSamples: number): number {
  return Math.ceil(Math.log2(Math.max(maxSamples, 2)));
}

/** Node arrays that grow by doubling, so a forest of any ψ is built without a bound per tree. */
class NodeBuffer {
  length = 0;
  feature = new Int32Array(0);
  threshold = new Float64Array(0);
  left = new Int32Array(0);
  right = new Int32Array(0);
  size = new Int32Array(0);

  constructor(capacity: number) {
    this.resize(Math.max(capacity, 16));
  }

  push(size: number): number {
    if (this.length === this.feature.length) this.resize(this.length * 2);
    const node = this.length++;
    this.feature[node] = LEAF;
    this.left[node] = LEAF;
    this.right[node] = LEAF;
    this.size[node] = size;
    return node;
  }

  private resize(capacity: number): void {
    const grow = <T extends Int32Array | Float64Array>(from: T, to: T): T => {
      to.set(from.subarray(0, this.length));
      return to;
    };
    this.feature = grow(this.feature, new Int32Array(capacity));
    this.threshold = grow(this.threshold, new Float64Array(capacity));
    this.left = grow(this.left, new Int32Array(capacity));
    this.right = grow(this.right, new Int32Array(capacity));
    this.size = grow(this.size, new Int32Array(capacity));
  }
}

/** Grows the forest on `nRows` rows of `nFeatures` values, row-major in `data`. */
export function growForest(data: Float64Array, nRows: number, nFeatures: number, settings: GrowSettings): ForestArrays {
  const { nEstimators, maxSamples: psi, random } = settings;
  const maxDepth = heightLimit(psi);
  // Rough node count per tree (about 2ψ/3 leaves at ψ = 256), only to size the first buffer.
  const nodes = new NodeBuffer(nEstimators * Math.min(2 * psi, 1024));
  const treeStart = new Int32Array(nEstimators + 1);

  // Scratch reused by every tree: the row order for sampling, the subsample column by column
  // (so a node's scan of one feature reads contiguous memory), and the node's row indices.
  const order = new Int32Array(nRows);
  for (let i = 0; i < nRows; i++) order[i] = i;
  const columns = new Float64Array(psi * nFeatures);
  const rows = new Int32Array(psi);
  const candidates = new Int32Array(nFeatures);

  const grow = (start: number, end: number, depth: number): number => {
    const node = nodes.push(end - start);
    if (depth >= maxDepth || end - start < 2) return node;

    for (let f = 0; f < nFeatures; f++) candidates[f] = f;
    for (let remaining = nFeatures; remaining > 0; remaining--) {
      const pick = random.below(remaining);
      const f = candidates[pick] ?? 0;
      candidates[pick] = candidates[remaining - 1] ?? 0;

      const column = f * psi;
      let min = Number.POSITIVE_INFINITY;
      let max = Number.NEGATIVE_INFINITY;
      for (let k = start; k < end; k++) {
        const v = columns[column + (rows[k] ?? 0)] ?? 0;
        if (v < min) min = v;
        if (v > max) max = v;
      }
      if (max <= min + FEATURE_THRESHOLD) continue;

      let threshold = min + random.next() * (max - min);
      // scikit-learn's guard: a threshold on the maximum would send every row left.
      if (threshold >= max) threshold = min;

      let lo = start;
      let hi = end - 1;
      while (lo <= hi) {
        const row = rows[lo] ?? 0;
        if ((columns[column + row] ?? 0) <= threshold) {
          lo++;
        } else {
          rows[lo] = rows[hi] ?? 0;
          rows[hi] = row;
          hi--;
        }
      }

      nodes.feature[node] = f;
      nodes.threshold[node] = threshold;
      const left = grow(start, lo, depth + 1);
      const right = grow(lo, end, depth + 1);
      nodes.left[node] = left;
      nodes.right[node] = right;
      return node;
    }
    return node;
  };

  for (let t = 0; t < nEstimators; t++) {
    // Partial Fisher-Yates: the first ψ entries become a uniform sample without replacement.
    // The order array stays a permutation, so the next tree shuffles on from it.
    for (let k = 0; k < psi; k++) {
      const j = k + random.below(nRows - k);
      const row = order[j] ?? 0;
      order[j] = order[k] ?? 0;
      order[k] = row;
      const base = row * nFeatures;
      for (let f = 0; f < nFeatures; f++) columns[f * psi + k] = data[base + f] ?? 0;
      rows[k] = k;
    }
    treeStart[t] = nodes.length;
    grow(0, psi, 0);
  }
  treeStart[nEstimators] = nodes.length;

  const used = nodes.length;
  return {
    nFeatures,
    maxSamples: psi,
    treeStart,
    feature: nodes.feature.slice(0, used),
    threshold: nodes.threshold.slice(0, used),
    left: nodes.left.slice(0, used),
    right: nodes.right.slice(0, used),
    size: nodes.size.slice(0, used),
  };
}
