/**
 * Anomaly-detection models of a tenant (securenet `/api/insights/models*`): uploaded training
 * files, training on the workflow engine (definition `insights-training`), the model list, and
 * predictions. Every route here needs the plan's `ml_detection` (SUBSCRIPTION_LIMIT_EXCEEDED
 * otherwise).
 *
 * Training (`startTraining`, then the tasks below):
 *   Fit       reads the data — the uploaded CSV named by `file_id`, or without one the tenant's own
 *             gateway metrics of the last 7 days (cpu_usage, memory_usage, load_avg_1m) — and fits
 *             an isolation forest. When the data has `is_anomaly` labels, a seeded 20 % of the rows
 *             is held out: the forest is fitted on the rest and `accuracy` is measured on the held-out
 *             rows (share of rows whose verdict matches the label). Without labels `accuracy` stays
 *             null: it is never invented. The trees are stored as a blob (model-store.ts).
 *   Activate  makes it the tenant's active model (the one that scores ingested metrics); the
 *             previously active one becomes `inactive` (it still predicts when named).
 *   finish    a failed training leaves its model `failed` with the reason.
 */
import { randomBytes } from "node:crypto";
import { assertMlDetection } from "#shared/billing/limits.ts";
import { blobKey, blobs } from "#shared/blobs/blobs.ts";
import { gatewayMetricsSince } from "#shared/fleet/ingest.ts";
import { Conflict, Invalid, NotFound } from "#shared/kit/errors.ts";
import { insightsTraining } from "#shared/workflows/definitions.ts";
import { type ExecutionItem, newExecutionId, startWorkflow, type WorkflowState } from "#shared/workflows/engine.ts";
import {
  deleteModel,
  type Evaluation,
  type FileItem,
  getActiveModelId,
  getFile,
  getModel,
  listModels,
  type ModelItem,
  type ModelParameters,
  putFile,
  putModel,
  setActiveModelId,
  updateModel,
} from "./db/models.ts";
import { IsolationForest } from "./isolation-forest.ts";
import { metricsFeatureValues, trainingFeatures } from "./metrics-features.ts";
import { forgetActiveModel, loadForest, storeForest } from "./model-store.ts";
import { type Prediction, predictRows } from "./predictions.ts";
import { createRandom } from "./random.ts";
import { readTrainingCsv, type TrainingData } from "./training-data.ts";

export type { FileItem, ModelItem } from "./db/models.ts";
export type { Prediction } from "./predictions.ts";

/** Fewest rows a model is trained on (fewer says nothing about what is normal). */
export const MIN_TRAINING_ROWS = 10;
/** Share of labelled rows held out for the evaluation. */
const HOLD_OUT = 0.2;
/** Gateway metrics used without a file: the last 7 days, at most 50,000 samples. */
const METRICS_DAYS = 7;
const METRICS_MAX = 50_000;
/** Rows one predict call may score. */
export const MAX_PREDICT_ROWS = 1000;

const newId = (prefix: string) => `${prefix}_${randomBytes(6).toString("hex")}`;

// ── uploads ──────────────────────────────────────────────────────────────────────────────────

/** Checks the CSV (400 naming the bad row/column, nothing stored), then stores it and its item. */
export async function uploadTrainingFile(
  tenantId: string,
  by: string,
  file: { filename: string; data: Buffer },
): Promise<FileItem> {
  await assertMlDetection(tenantId);
  const parsed = await readTrainingCsv(file.data);
  const id = newId("file");
  const key = blobKey(tenantId, "insights", "uploads", `${id}.csv`);
  await blobs.put(key, file.data, { contentType: "text/csv" });
  const item: FileItem = {
    id,
    filename: file.filename,
    sizeBytes: file.data.length,
    rowsCount: parsed.rows.length,
    columns: parsed.columns,
    blobKey: key,
    uploadedAt: new Date().toISOString(),
    uploadedBy: by,
  };
  try {
    await putFile(tenantId, item);
  } catch (e) {
    await blobs.delete(key);
    throw e;
  }
  return item;
}

// ── training ─────────────────────────────────────────────────────────────────────────────────

export interface TrainRequest {
  name: string;
  parameters: { contamination?: number | "auto"; n_estimators?: number; max_samples?: number | "auto" };
  fileId?: string;
}

export async function startTraining(
  tenantId: string,
  by: string,
  r: TrainRequest,
): Promise<{ model: ModelItem; execution: ExecutionItem }> {
  await assertMlDetection(tenantId);
  if (r.fileId !== undefined && !(await getFile(tenantId, r.fileId))) {
    throw new NotFound(`file_id: no uploaded training file '${r.fileId}'`);
  }
  const parameters: ModelParameters = {
    contamination: r.parameters.contamination ?? "auto",
    n_estimators: r.parameters.n_estimators ?? 100,
    max_samples: r.parameters.max_samples ?? "auto",
    seed: 0,
  };
  const modelId = newId("model");
  const executionId = newExecutionId("TRAIN");
  const model: ModelItem = {
    id: modelId,
    name: r.name,
    modelType: "isolation_forest",
    status: "training",
    parameters,
    source: r.fileId ?? "gateway_metrics",
    trainingSessionId: executionId,
    createdAt: new Date().toISOString(),
    createdBy: by,
    lastTrained: null,
    accuracy: null,
    evaluation: null,
    features: [],
    trainingRows: 0,
    blobKey: null,
    error: null,
  };
  await putModel(tenantId, model);
  try {
    const { execution } = await startWorkflow({
      workflow: insightsTraining,
      tenantId,
      subject: modelId,
      executionId,
      startedBy: by,
      params: { modelId },
    });
    return { model, execution };
  } catch (e) {
    // Not started (the engine answers 503): no model is left saying "training" forever.
    await deleteModel(tenantId, modelId);
    throw e;
  }
}

const modelOfState = async (state: WorkflowState): Promise<ModelItem> => {
  const modelId = String(state.params.modelId);
  const model = await getModel(state.tenantId, modelId, true);
  if (!model) throw new Error(`model ${modelId} is gone`);
  return model;
};

async function trainingData(tenantId: string, source: string): Promise<TrainingData> {
  if (source !== "gateway_metrics") {
    const file = await getFile(tenantId, source);
    const blob = file ? await blobs.get(file.blobKey) : undefined;
    if (!blob) throw new Error(`training file ${source} is gone`);
    return readTrainingCsv(blob.body);
  }
  const now = new Date();
  const samples = await gatewayMetricsSince(
    tenantId,
    new Date(now.getTime() - METRICS_DAYS * 86_400_000),
    now,
    METRICS_MAX,
  );
  const values = samples.map((s) => metricsFeatureValues(s.sample));
  const features = trainingFeatures(values);
  const rows = values.flatMap((v) => (features.every((f) => f in v) ? [features.map((f) => v[f] as number)] : []));
  return { columns: features, features, rows, labels: null };
}

/** A seeded split of row indexes: `held` (about HOLD_OUT of them, at least one) and `kept`. */
function holdOut(n: number, seed: number): { kept: number[]; held: number[] } {
  const order = Array.from({ length: n }, (_, i) => i);
  const random = createRandom(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = random.below(i + 1);
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  const heldCount = Math.max(1, Math.round(n * HOLD_OUT));
  return { held: order.slice(0, heldCount), kept: order.slice(heldCount) };
}

/** Task "Fit": data → forest (→ evaluation) → blob; the model keeps status `training` until Activate. */
export async function fitModel(state: WorkflowState): Promise<Record<string, unknown>> {
  const model = await modelOfState(state);
  const data = await trainingData(state.tenantId, model.source);
  if (data.rows.length < MIN_TRAINING_ROWS) {
    throw new Error(
      model.source === "gateway_metrics"
        ? `only ${data.rows.length} gateway metrics samples in the last ${METRICS_DAYS} days; at least ${MIN_TRAINING_ROWS} are needed (or upload a training file)`
        : `the training file has ${data.rows.length} rows; at least ${MIN_TRAINING_ROWS} are needed`,
    );
  }
  const p = model.parameters;
  const forestOf = () =>
    new IsolationForest({
      nEstimators: p.n_estimators,
      maxSamples: p.max_samples,
      contamination: p.contamination,
      seed: p.seed,
    });
  let forest: IsolationForest;
  let evaluation: Evaluation | null = null;
  let trainingRows = data.rows.length;
  if (data.labels) {
    const labels = data.labels;
    const { kept, held } = holdOut(data.rows.length, p.seed);
    forest = forestOf().fit(kept.map((i) => data.rows[i] as number[]));
    trainingRows = kept.length;
    const verdicts = forest.predict(held.map((i) => data.rows[i] as number[]));
    const e = { tp: 0, fp: 0, fn: 0, tn: 0 };
    held.forEach((row, k) => {
      const flagged = verdicts[k] === -1;
      const truth = labels[row] === 1;
      if (flagged && truth) e.tp++;
      else if (flagged) e.fp++;
      else if (truth) e.fn++;
      else e.tn++;
    });
    evaluation = {
      held_out_rows: held.length,
      held_out_anomalies: e.tp + e.fn,
      true_positives: e.tp,
      false_positives: e.fp,
      false_negatives: e.fn,
      true_negatives: e.tn,
    };
  } else {
    forest = forestOf().fit(data.rows);
  }
  const key = await storeForest(state.tenantId, model.id, forest);
  const accuracy = evaluation
    ? Math.round(((evaluation.true_positives + evaluation.true_negatives) / evaluation.held_out_rows) * 10_000) / 10_000
    : null;
  await updateModel(state.tenantId, model.id, {
    blobKey: key,
    features: data.features,
    trainingRows,
    accuracy,
    evaluation,
    lastTrained: new Date().toISOString(),
  });
  return { rows: trainingRows, features: data.features.length, accuracy };
}

/** Task "Activate": this model scores ingested metrics from now on; the one before becomes inactive. */
export async function activateModel(state: WorkflowState): Promise<Record<string, unknown>> {
  const model = await modelOfState(state);
  const previous = await getActiveModelId(state.tenantId);
  await updateModel(state.tenantId, model.id, { status: "active" });
  await setActiveModelId(state.tenantId, model.id);
  if (previous && previous !== model.id) {
    const before = await getModel(state.tenantId, previous, true);
    if (before?.status === "active") await updateModel(state.tenantId, previous, { status: "inactive" });
  }
  forgetActiveModel(state.tenantId);
  return { active: model.id };
}

/** The finisher's bookkeeping: a failed training marks its model failed, with the reason. */
export async function endTraining(state: WorkflowState, execution: ExecutionItem): Promise<void> {
  if (execution.status !== "failed") return;
  const modelId = String(state.params.modelId);
  const model = await getModel(state.tenantId, modelId, true);
  if (!model) return;
  await updateModel(state.tenantId, modelId, {
    status: "failed",
    error: execution.error ?? "training failed",
  });
}

export const trainingResult = (state: WorkflowState): Record<string, unknown> => ({
  model_id: String(state.params.modelId),
});

// ── reading and predicting ───────────────────────────────────────────────────────────────────

/** The tenant's models, newest first. */
export async function modelsOf(tenantId: string): Promise<ModelItem[]> {
  await assertMlDetection(tenantId);
  const models = await listModels(tenantId);
  return models.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

export async function predict(
  tenantId: string,
  modelId: string,
  data: Record<string, number>[],
): Promise<{ model: ModelItem; predictions: Prediction[] }> {
  await assertMlDetection(tenantId);
  const model = await getModel(tenantId, modelId);
  if (!model) throw new NotFound(`no model '${modelId}'`);
  if (model.status === "training")
    throw new Conflict(`model '${modelId}' is still training; try again when it is active`);
  if (model.status === "failed")
    throw new Conflict(`model '${modelId}' failed to train: ${model.error ?? "unknown error"}`);
  const forest = await loadForest(tenantId, model);
  if (!forest) throw new NotFound(`model '${modelId}' has no stored trees`);
  const rows = data.map((record, i) =>
    model.features.map((f) => {
      const v = record[f];
      if (v === undefined) {
        throw new Invalid(`data.${i}.${f}: missing; the model was trained on ${model.features.join(", ")}`, [
          { loc: ["body", "data", i, f], msg: "field required by the model", type: "value_error.missing" },
        ]);
      }
      return v;
    }),
  );
  return { model, predictions: predictRows(forest, model.features, rows) };
}
