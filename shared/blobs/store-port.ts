/** The blob store port (see blobs.ts): what every adapter implements. */
/** How long the store keeps a blob before expiring it: one of the bucket's lifecycle classes. */
export const RETENTION_DAYS = [1, 7, 30, 90, 365] as const;
export type RetentionDays = (typeof RETENTION_DAYS)[number];

export interface BlobMeta {
  contentType: string;
  /** Expire the blob after this many days; kept until deleted when absent. */
  retentionDays?: RetentionDays;
}

export interface StoredBlob {
  body: Buffer;
  contentType: string;
}

export interface BlobStore {
  put(key: string, body: Buffer, meta: BlobMeta): Promise<void>;
  /** Undefined when there is no such blob (never an error for a missing key). */
  get(key: string): Promise<StoredBlob | undefined>;
  /** Deleting a missing blob is not an error. */
  delete(key: string): Promise<void>;
  /**
   * A link anyone holding it may GET the blob with, for `seconds` seconds, without going through
   * the API (files larger than a Lambda answer). Only stores with such links implement it (S3: a
   * presigned URL); the local folder has none, and callers stream the blob instead. `filename`:
   * the name the browser saves the file under.
   */
  presignGet?(key: string, seconds: number, options?: { filename?: string }): Promise<string>;
}
