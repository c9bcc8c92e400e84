/**
 * A tenant's anomaly-detection models and uploaded training files (the files' bytes and the
 * trained trees are blobs, shared/blobs; these items say what they are):
 *
 *   T#<t>#INSIGHTS / MODEL#<model id>    one model: name, parameters, status, evaluation, blob key
 *   T#<t>#INSIGHTS / ACTIVE              which model scores new gateway metrics (at most one)
 *   T#<t>#INSIGHTS / FILE#<file id>      one uploaded training CSV: name, size, rows, columns
 *
 * Access patterns: list models and files (Query on the partition, by SK prefix), get one (GetItem),
 * create (conditional Put), update status and results (UpdateItem on an existing item), delete one
 * whose training could not start (DeleteItem), read and set
 * the active model (GetItem, Put).
 */
import { DeleteCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "zod/mini";
import { db, tableName } from "#shared/table/client.ts";
import { tenantPk } from "#shared/table/keys.ts";
import { getItem, putNew, queryAll } from "#shared/table/repo.ts";

const pk = (tenantId: string) => `${tenantPk(tenantId)}#INSIGHTS`;

export const insightsKeys = {
  model: (tenantId: string, modelId: string) => ({ PK: pk(tenantId), SK: `MODEL#${modelId}` }),
  active: (tenantId: string) => ({ PK: pk(tenantId), SK: "ACTIVE" }),
  file: (tenantId: string, fileId: string) => ({ PK: pk(tenantId), SK: `FILE#${fileId}` }),
};

export const MODEL_STATUSES = ["training", "active", "inactive", "failed"] as const;
export type ModelStatus = (typeof MODEL_STATUSES)[number];

export const ModelParameters = z.object({
  contamination: z.union([z.literal("auto"), z.number()]),
  n_estimators: z.number(),
  max_samples: z.union([z.literal("auto"), z.number()]),
  seed: z.number(),
});
export type ModelParameters = z.infer<typeof ModelParameters>;

export const Evaluation = z.object({
  held_out_rows: z.number(),
  held_out_anomalies: z.number(),
  true_positives: z.number(),
  false_positives: z.number(),
  false_negatives: z.number(),
  true_negatives: z.number(),
});
export type Evaluation = z.infer<typeof Evaluation>;

export const ModelItem = z.object({
  id: z.string(),
  name: z.string(),
  modelType: z.literal("isolation_forest"),
  status: z.enum(MODEL_STATUSES),
  parameters: ModelParameters,
  /** `file_id` of an uploaded CSV, or "gateway_metrics" (the tenant's recent samples). */
  source: z.string(),
  trainingSessionId: z.string(),
  createdAt: z.string(),
  createdBy: z.string(),
  lastTrained: z.nullable(z.string()),
  /** Measured on the held-out labelled rows; null without labels. */
  accuracy: z.nullable(z.number()),
  evaluation: z.nullable(Evaluation),
  features: z.array(z.string()),
  trainingRows: z.number(),
  blobKey: z.nullable(z.string()),
  error: z.nullable(z.string()),
});
export type ModelItem = z.infer<typeof ModelItem>;

export const FileItem = z.object({
  id: z.string(),
  filename: z.string(),
  sizeBytes: z.number(),
  rowsCount: z.number(),
  columns: z.array(z.string()),
  blobKey: z.string(),
  uploadedAt: z.string(),
  uploadedBy: z.string(),
});
export type FileItem = z.infer<typeof FileItem>;

export async function putModel(tenantId: string, m: ModelItem): Promise<void> {
  await putNew({ ...insightsKeys.model(tenantId, m.id), type: "InsightsModel", ...m }, "Model");
}

export async function getModel(tenantId: string, modelId: string, consistent = false): Promise<ModelItem | undefined> {
  const item = await getItem(insightsKeys.model(tenantId, modelId), consistent);
  return item ? ModelItem.parse(item) : undefined;
}

export async function listModels(tenantId: string): Promise<ModelItem[]> {
  const items = await queryAll({ tenantId, pk: pk(tenantId), skBeginsWith: "MODEL#" }, 1000);
  return items.map((i) => ModelItem.parse(i));
}

/** Sets fields of an existing model (never creates one). */
export async function updateModel(
  tenantId: string,
  modelId: string,
  changes: Partial<Omit<ModelItem, "id">>,
): Promise<void> {
  const entries = Object.entries(changes);
  if (entries.length === 0) return;
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const sets = entries.map(([k, v], i) => {
    names[`#f${i}`] = k;
    values[`:v${i}`] = v;
    return `#f${i} = :v${i}`;
  });
  await db.send(
    new UpdateCommand({
      TableName: tableName,
      Key: insightsKeys.model(tenantId, modelId),
      UpdateExpression: `SET ${sets.join(", ")}`,
      ConditionExpression: "attribute_exists(PK)",
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    }),
  );
}

export async function getActiveModelId(tenantId: string): Promise<string | undefined> {
  const item = await getItem(insightsKeys.active(tenantId), true);
  return typeof item?.modelId === "string" ? item.modelId : undefined;
}

export async function setActiveModelId(tenantId: string, modelId: string): Promise<void> {
  await db.send(
    new PutCommand({
      TableName: tableName,
      Item: { ...insightsKeys.active(tenantId), type: "InsightsActiveModel", modelId, at: new Date().toISOString() },
    }),
  );
}

export async function putFile(tenantId: string, f: FileItem): Promise<void> {
  await putNew({ ...insightsKeys.file(tenantId, f.id), type: "InsightsFile", ...f }, "Training file");
}

export async function getFile(tenantId: string, fileId: string): Promise<FileItem | undefined> {
  const item = await getItem(insightsKeys.file(tenantId, fileId), true);
  return item ? FileItem.parse(item) : undefined;
}

/** Removes a model item (a training that could not be started leaves nothing behind). */
export async function deleteModel(tenantId: string, modelId: string): Promise<void> {
  await db.send(new DeleteCommand({ TableName: tableName, Key: insightsKeys.model(tenantId, modelId) }));
}
