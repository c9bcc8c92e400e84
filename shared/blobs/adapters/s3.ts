/** The deployed blob store: one private bucket (data stack), objects tagged with their retention class. */
import { DeleteObjectCommand, GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import type { BlobStore } from "../store-port.ts";

export function s3BlobStore(bucket: string, client = new S3Client({})): BlobStore {
  return {
    async put(key, body, meta) {
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: body,
          ContentType: meta.contentType,
          ...(meta.retentionDays ? { Tagging: `retention-days=${meta.retentionDays}` } : {}),
        }),
      );
    },
    async get(key) {
      try {
        const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        const bytes = await out.Body?.transformToByteArray();
        return {
          body: Buffer.from(bytes ?? new Uint8Array()),
          contentType: out.ContentType ?? "application/octet-stream",
        };
      } catch (error) {
        if (error instanceof NoSuchKey) return undefined;
        throw error;
      }
    },
    async delete(key) {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    },
    // Signed locally with the function's own credentials (no request to S3): the link can do one
    // thing, GET this key, until it expires; the bucket's KMS key is used on the caller's behalf.
    presignGet(key, seconds, options) {
      const get = new GetObjectCommand({
        Bucket: bucket,
        Key: key,
        ...(options?.filename ? { ResponseContentDisposition: `attachment; filename="${options.filename}"` } : {}),
      });
      return getSignedUrl(client, get, { expiresIn: seconds });
    },
  };
}
