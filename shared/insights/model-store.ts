/**
 * Trained models at rest and in memory. A model's trees are a blob (shared/blobs: S3 in AWS, a
 * folder locally) holding `IsolationForest.toJSON()` (typed arrays in base64, forest-codec.ts);
 * its item (db/models.ts) says what it is. Loaded models are cached per container, keyed by
 * tenant, model and training time, so a warm predict or ingest reads neither the blob nor parses
 * the trees again; a retrained model has a new training time and is loaded afresh.
 */
import { blobKey, blobs } from "#shared/blobs/blobs.ts";
import { getActiveModelId, getModel, type ModelItem } from "./db/models.ts";
import { IsolationForest } from "./isolation-forest.ts";

const CACHE_LIMIT = 32;
const cache = new Map<string, IsolationForest>();

export const modelBlobKey = (tenantId: string, modelId: string): string =>
  blobKey(tenantId, "insights", "models", `${modelId}.json`);

export async function storeForest(tenantId: string, modelId: string, forest: IsolationForest): Promise<string> {
  const key = modelBlobKey(tenantId, modelId);
  await blobs.put(key, Buffer.from(JSON.stringify(forest.toJSON())), { contentType: "application/json" });
  return key;
}

/** The fitted forest of a trained model (from the cache when warm); undefined when its blob is gone. */
export async function loadForest(tenantId: string, model: ModelItem): Promise<IsolationForest | undefined> {
  if (!model.blobKey) return undefined;
  const cacheKey = `${tenantId}/${model.id}/${model.lastTrained}`;
  const hit = cache.get(cacheKey);
  if (hit) return hit;
  const blob = await blobs.get(model.blobKey);
  if (!blob) return undefined;
  const forest = IsolationForest.fromJSON(JSON.parse(blob.body.toString("utf8")));
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(cacheKey, forest);
  return forest;
}

/** How long a container trusts what it read about the active model before it looks again. */
const ACTIVE_TTL_MS = 30_000;
const active = new Map<string, { at: number; model: ModelItem | undefined }>();

/** The tenant's active model, re-read at most every 30 s per container (the ingest path's one extra read). */
export async function activeModel(tenantId: string, now = Date.now()): Promise<ModelItem | undefined> {
  const seen = active.get(tenantId);
  if (seen && now - seen.at < ACTIVE_TTL_MS) return seen.model;
  const id = await getActiveModelId(tenantId);
  const model = id ? await getModel(tenantId, id) : undefined;
  const usable = model?.status === "active" ? model : undefined;
  active.set(tenantId, { at: now, model: usable });
  return usable;
}

/** This container forgets what it knew about the tenant's active model (after an activation here). */
export function forgetActiveModel(tenantId: string): void {
  active.delete(tenantId);
}
