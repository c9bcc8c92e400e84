/**
 * The two numeric rules the isolation forest borrows from scikit-learn and numpy, kept apart so
 * they can be checked against their reference values on their own.
 */

const EULER_GAMMA = 0.5772156649015329;

/**
 * c(n): the average path length of an unsuccessful search in a binary search tree of n keys,
 * which is the expected depth at which an isolation tree built on n samples isolates a point.
 * It normalises path lengths (score = 2^(-E[h(x)] / c(ψ))) and stands in for the part of a
 * path below a leaf that the height limit cut off. scikit-learn's `_average_path_length`:
 * 0 for n <= 1, 1 for n = 2, else 2(ln(n-1) + γ) - 2(n-1)/n (the harmonic number H(n-1)
 * approximated by ln(n-1) + γ).
 */
export function averagePathLength(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + EULER_GAMMA) - (2 * (n - 1)) / n;
}

/**
 * numpy.percentile with its default "linear" method, which is what scikit-learn uses to place
 * `offset_` for a float contamination. Same arithmetic as numpy's `_lerp`, including its switch
 * to interpolating from the upper bound when the fraction is >= 0.5, so results match to the bit.
 * `sorted` must be sorted ascending and non-empty; q is in [0, 100].
 */
export function percentileOfSorted(sorted: Float64Array, q: number): number {
  const n = sorted.length;
  const h = (n - 1) * (q / 100);
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  const a = sorted[lo] ?? Number.NaN;
  const b = sorted[hi] ?? Number.NaN;
  const t = h - lo;
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/** A σ-equivalent spread that anomalies in the tail do not inflate: IQR / 1.349. */
export function robustSpreadOfSorted(sorted: Float64Array): number {
  return (percentileOfSorted(sorted, 75) - percentileOfSorted(sorted, 25)) / 1.349;
}
