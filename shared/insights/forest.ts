/**
 * A fitted isolation forest as flat typed arrays, and the walk that scores rows through it.
 *
 * Every tree's nodes sit in one run of the arrays, root first, in depth-first (pre-)order, so a
 * child's index is always greater than its parent's: a single forward pass can derive per-node
 * depths, and a walk can never loop, even over a model read back from storage.
 */
import { averagePathLength } from "./statistics.ts";

export const LEAF = -1;

export interface Forest {
  readonly nFeatures: number;
  /** ψ, scikit-learn's `max_samples_`: the rows each tree was grown on. */
  readonly maxSamples: number;
  /** Tree t owns nodes [treeStart[t], treeStart[t + 1]); length is trees + 1. */
  readonly treeStart: Int32Array;
  /** The split feature, or LEAF. */
  readonly feature: Int32Array;
  /** A row goes left when row[feature] <= threshold (scikit-learn's rule). */
  readonly threshold: Float64Array;
  /** Absolute node indices; LEAF at a leaf. */
  readonly left: Int32Array;
  readonly right: Int32Array;
  /** Training rows of the tree's subsample that reached the node. */
  readonly size: Int32Array;
  /**
   * At a leaf: its depth plus c(size), the per-tree path length scikit-learn adds up for a row
   * that ends there (edges walked, plus the expected rest of the path the height limit cut off).
   * Derived, never stored.
   */
  readonly pathLength: Float64Array;
}

export type ForestArrays = Omit<Forest, "pathLength">;

export function treeCount(forest: ForestArrays): number {
  return forest.treeStart.length - 1;
}

/** Completes stored or freshly grown arrays with the per-leaf path lengths. */
export function withPathLengths(arrays: ForestArrays): Forest {
  const { feature, left, right, size, treeStart } = arrays;
  const nodes = feature.length;
  const depth = new Int32Array(nodes);
  const pathLength = new Float64Array(nodes);
  for (let t = 0; t < treeStart.length - 1; t++) {
    depth[treeStart[t] ?? 0] = 0;
  }
  for (let node = 0; node < nodes; node++) {
    const d = depth[node] ?? 0;
    if ((feature[node] ?? LEAF) === LEAF) {
      pathLength[node] = d + averagePathLength(size[node] ?? 0);
    } else {
      depth[left[node] ?? 0] = d + 1;
      depth[right[node] ?? 0] = d + 1;
    }
  }
  return { ...arrays, pathLength };
}

/**
 * scikit-learn's `score_samples` for `nRows` rows laid out row-major in `data`:
 * -2^(-mean path length / c(ψ)), in (-1, 0); the lower, the more abnormal. A forest grown on a
 * single row has c(ψ) = 0, where scikit-learn defines the score as -0.5.
 */
export function scoreRows(forest: Forest, data: Float64Array, nRows: number, out: Float64Array): void {
  const { feature, threshold, left, right, pathLength, treeStart, nFeatures } = forest;
  const trees = treeCount(forest);
  out.fill(0, 0, nRows);
  // Tree by tree rather than row by row: one tree's nodes stay in cache for every row.
  for (let t = 0; t < trees; t++) {
    const root = treeStart[t] ?? 0;
    for (let i = 0, base = 0; i < nRows; i++, base += nFeatures) {
      let node = root;
      let f = feature[node] ?? LEAF;
      while (f !== LEAF) {
        node = (data[base + f] ?? 0) <= (threshold[node] ?? 0) ? (left[node] ?? 0) : (right[node] ?? 0);
        f = feature[node] ?? LEAF;
      }
      out[i] = (out[i] ?? 0) + (pathLength[node] ?? 0);
    }
  }
  const denominator = trees * averagePathLength(forest.maxSamples);
  for (let i = 0; i < nRows; i++) {
    out[i] = denominator === 0 ? -0.5 : -(2 ** (-(out[i] ?? 0) / denominator));
  }
}
