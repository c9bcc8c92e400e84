/**
 * The scikit-learn fixtures written by golden/make-golden.py, parsed, and the two measures the
 * parity tests compare with (ROC AUC, Spearman rank correlation). Both measures are themselves
 * checked against sklearn's and scipy's values in reference.json.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as z from "zod/mini";

const dir = join(import.meta.dirname, "golden");

const Scores = z.array(z.number());

const DatasetSchema = z.object({
  name: z.string(),
  features: z.array(z.string()),
  contamination: z.union([z.literal("auto"), z.number()]),
  rows: z.array(z.array(z.number())),
  is_anomaly: z.array(z.number()),
  sklearn: z.object({
    n_estimators: z.number(),
    max_samples_: z.number(),
    offset_: z.number(),
    score_samples: Scores,
    predict: z.array(z.number()),
    roc_auc: z.number(),
  }),
  sklearn_many_trees: z.object({ n_estimators: z.number(), score_samples: Scores }),
  sklearn_seed_noise: z.object({
    spearman_with_reference: Scores,
    predict_agreement_with_reference: Scores,
  }),
});

export type Dataset = z.output<typeof DatasetSchema>;

const ReferenceSchema = z.object({
  average_path_length: z.object({ n: z.array(z.number()), c: Scores }),
  percentile: z.object({ values: Scores, q: Scores, numpy: Scores }),
  spearman: z.object({ a: Scores, b: Scores, scipy: z.number() }),
  roc_auc: z.object({ labels: z.array(z.number()), scores: Scores, sklearn: z.number() }),
  one_row: z.object({ rows: z.array(z.array(z.number())), probe: z.array(z.array(z.number())), score_samples: Scores }),
  identical_rows: z.object({
    rows: z.array(z.array(z.number())),
    probe: z.array(z.array(z.number())),
    score_samples: Scores,
  }),
});

const read = (name: string): unknown => JSON.parse(readFileSync(join(dir, `${name}.json`), "utf8"));

export const DATASETS = ["gateway-metrics", "multi-cluster", "two-metrics"] as const;

export function loadDataset(name: (typeof DATASETS)[number]): Dataset {
  return z.parse(DatasetSchema, read(name));
}

export function loadReference(): z.output<typeof ReferenceSchema> {
  return z.parse(ReferenceSchema, read("reference"));
}

/** 1-based ranks, ties sharing their average rank (as scipy's rankdata). */
function ranks(values: ArrayLike<number>): Float64Array {
  const order = Array.from(values, (_, i) => i).sort((a, b) => (values[a] ?? 0) - (values[b] ?? 0));
  const out = new Float64Array(values.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && values[order[j + 1] ?? 0] === values[order[i] ?? 0]) j++;
    for (let k = i; k <= j; k++) out[order[k] ?? 0] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return out;
}

function pearson(a: Float64Array, b: Float64Array): number {
  const mean = (v: Float64Array) => v.reduce((s, x) => s + x, 0) / v.length;
  const ma = mean(a);
  const mb = mean(b);
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    const da = (a[i] ?? 0) - ma;
    const db = (b[i] ?? 0) - mb;
    ab += da * db;
    aa += da * da;
    bb += db * db;
  }
  return ab / Math.sqrt(aa * bb);
}

export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return pearson(ranks(a), ranks(b));
}

/** ROC AUC of `scores` (higher = more likely positive) against 0/1 labels (Mann-Whitney U). */
export function rocAuc(labels: readonly number[], scores: ArrayLike<number>): number {
  const r = ranks(scores);
  let positives = 0;
  let rankSum = 0;
  labels.forEach((label, i) => {
    if (label === 1) {
      positives++;
      rankSum += r[i] ?? 0;
    }
  });
  const negatives = labels.length - positives;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

export const mean = (xs: ArrayLike<number>): number => Array.from(xs).reduce((s, x) => s + x, 0) / xs.length;
