/**
 * Files too big for a table item — backups, uploaded training data, trained models, exports —
 * kept per tenant behind one port. Two adapters, chosen once by configuration:
 *   - `adapters/s3.ts` (deployed, `BLOB_BUCKET`): the data stack's private, KMS-encrypted bucket;
 *     a blob's retention becomes an object tag that the bucket's lifecycle rules expire on;
 *   - `adapters/folder.ts` (local mode and tests, `BLOB_DIR`): files under a directory, with the
 *     same keys as relative paths and retention kept beside each file.
 * Keys are always built by `blobKey`, so every blob lives under its tenant's prefix
 * (`tenants/<tenantId>/<area>/<name>`): the IAM grant and the folder layout both rest on it.
 */
import { config } from "#shared/kit/config.ts";
import { Invalid } from "#shared/kit/errors.ts";
import { type BlobStore, RETENTION_DAYS, type RetentionDays } from "./store-port.ts";

export type { BlobMeta, BlobStore, RetentionDays, StoredBlob } from "./store-port.ts";
export { RETENTION_DAYS } from "./store-port.ts";

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

/** `tenants/<tenantId>/<area>/<name…>`; every segment a plain name (no `..`, no slashes, no empties). */
export function blobKey(tenantId: string, area: string, ...name: string[]): string {
  const segments = [tenantId, area, ...name];
  for (const s of segments) {
    if (!SEGMENT.test(s) || s.includes("..")) throw new Invalid(`invalid blob name segment '${s.slice(0, 40)}'`);
  }
  if (name.length === 0) throw new Invalid("a blob needs a name");
  return `tenants/${segments.join("/")}`;
}

/** The smallest retention class that keeps a blob at least `days` days. */
export function retentionFor(days: number): RetentionDays {
  return RETENTION_DAYS.find((d) => d >= days) ?? 365;
}

let store: Promise<BlobStore> | undefined;

/** Tests and local mode may hand in a store; otherwise it is chosen from the environment on first use. */
export function useBlobStore(adapter: BlobStore): void {
  store = Promise.resolve(adapter);
}

function chosenStore(): Promise<BlobStore> {
  store ??= config.BLOB_BUCKET
    ? import("./adapters/s3.ts").then((m) => m.s3BlobStore(config.BLOB_BUCKET as string))
    : config.BLOB_DIR
      ? import("./adapters/folder.ts").then((m) => m.folderBlobStore(config.BLOB_DIR as string))
      : Promise.reject(new Error("no blob store configured: set BLOB_BUCKET (AWS) or BLOB_DIR (local)"));
  return store;
}

export const blobs: BlobStore = {
  put: async (key, body, meta) => (await chosenStore()).put(key, body, meta),
  get: async (key) => (await chosenStore()).get(key),
  delete: async (key) => (await chosenStore()).delete(key),
};

/**
 * A short-lived GET link to a blob when the configured store has links (S3 in AWS); undefined when
 * it has none (the local folder): the caller then streams the blob itself.
 */
export async function blobLink(
  key: string,
  seconds: number,
  options?: { filename?: string },
): Promise<string | undefined> {
  const store = await chosenStore();
  return store.presignGet ? store.presignGet(key, seconds, options) : undefined;
}
