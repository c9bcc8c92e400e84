/**
 * What a fitted forest says about rows, in the insights API's terms:
 *   - `is_anomaly`: sklearn's `predict` is -1 (decision_function below 0);
 *   - `anomaly_score`: −score_samples, i.e. the original paper's s(x, ψ) = 2^(−E[h(x)]/c(ψ)) in
 *     (0, 1]: near 1 an anomaly, 0.5 the "auto" threshold, lower normal;
 *   - `confidence`: IsolationForest.confidence (tanh of the distance to the threshold in spreads
 *     of the training scores);
 *   - `features_contributing`: the features whose share in isolating the row
 *     (IsolationForest.featureContributions, per-feature path statistics) is at least an even
 *     share (1 / number of features), largest share first.
 */
import type { IsolationForest } from "./isolation-forest.ts";

export interface Prediction {
  isAnomaly: boolean;
  confidence: number;
  anomalyScore: number;
  featuresContributing: string[];
}

const round = (x: number) => Math.round(x * 10_000) / 10_000;

export function predictRows(forest: IsolationForest, features: readonly string[], rows: number[][]): Prediction[] {
  const scores = forest.scoreSamples(rows);
  const decisions = forest.decisionFunction(rows);
  return rows.map((row, i) => {
    const shares = forest.featureContributions(row);
    const even = 1 / features.length;
    const contributing = shares
      .map((share, f) => ({ share, name: features[f] ?? `feature_${f}` }))
      .filter((s) => s.share >= even - 1e-12)
      .sort((a, b) => b.share - a.share)
      .map((s) => s.name);
    return {
      isAnomaly: (decisions[i] ?? 0) < 0,
      confidence: round(forest.confidence(row)),
      anomalyScore: round(-(scores[i] ?? 0)),
      featuresContributing: contributing,
    };
  });
}
