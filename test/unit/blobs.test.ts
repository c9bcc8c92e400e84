/**
 * The blob store's local adapter and key rules: what a backup or an uploaded file relies on —
 * a blob reads back byte for byte with its type, a missing or expired one reads as missing, and no
 * key can leave its tenant's prefix.
 */
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { folderBlobStore } from "#shared/blobs/adapters/folder.ts";
import { s3BlobStore } from "#shared/blobs/adapters/s3.ts";
import { blobKey, retentionFor } from "#shared/blobs/blobs.ts";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "warden-blob-test-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("blob keys", () => {
  it("put every blob under its tenant's prefix", () => {
    expect(blobKey("t-123", "backups", "backup-1.tar.gz.enc")).toBe("tenants/t-123/backups/backup-1.tar.gz.enc");
  });

  it("refuse segments that could leave the prefix or name nothing", () => {
    for (const bad of [
      ["..", "x"],
      ["a/b", "x"],
      ["", "x"],
      ["ok", ".hidden"],
      ["ok", "a..b"],
    ]) {
      expect(() => blobKey("t-1", bad[0] as string, bad[1] as string)).toThrow(/blob name/);
    }
    expect(() => blobKey("../t-2", "backups", "x")).toThrow(/blob name/);
    expect(() => blobKey("t-1", "backups")).toThrow(/needs a name/);
  });

  it("round a retention up to the next class the bucket expires", () => {
    expect([retentionFor(1), retentionFor(2), retentionFor(30), retentionFor(31), retentionFor(9999)]).toEqual([
      1, 7, 30, 90, 365,
    ]);
  });
});

describe("folder blob store", () => {
  it("reads back what was written, byte for byte, with its content type", async () => {
    const store = folderBlobStore(dir);
    const body = Buffer.from([0, 255, 1, 2, 3, 10, 13]);
    await store.put("tenants/t1/backups/a.bin", body, { contentType: "application/gzip" });

    const got = await store.get("tenants/t1/backups/a.bin");

    expect(got?.body.equals(body)).toBe(true);
    expect(got?.contentType).toBe("application/gzip");
  });

  it("answers undefined for a missing blob and deletes idempotently", async () => {
    const store = folderBlobStore(dir);
    await store.put("tenants/t1/x/gone.txt", Buffer.from("x"), { contentType: "text/plain" });

    await store.delete("tenants/t1/x/gone.txt");
    await store.delete("tenants/t1/x/gone.txt");

    expect(await store.get("tenants/t1/x/gone.txt")).toBeUndefined();
    expect(await store.get("tenants/t1/never/was.txt")).toBeUndefined();
    expect(await readdir(join(dir, "tenants/t1/x"))).toEqual([]);
  });

  it("expires a blob after its retention, as the bucket's lifecycle rule would", async () => {
    const store = folderBlobStore(dir);
    await store.put("tenants/t1/exports/old.csv", Buffer.from("a,b"), { contentType: "text/csv", retentionDays: 1 });
    expect(await store.get("tenants/t1/exports/old.csv")).toBeDefined();

    vi.useFakeTimers({ now: Date.now() + 86_400_000 + 1000, toFake: ["Date"] });
    try {
      expect(await store.get("tenants/t1/exports/old.csv")).toBeUndefined();
    } finally {
      vi.useRealTimers();
    }
  });

  it("refuses a key that resolves outside its root", async () => {
    const store = folderBlobStore(dir);
    await expect(store.put("../escape.txt", Buffer.from("x"), { contentType: "text/plain" })).rejects.toThrow(
      /escapes/,
    );
  });
});

describe("S3 blob store (against aws-sdk-client-mock: S3 itself cannot run here)", () => {
  it("tags a blob with its retention class, reads it back, and answers undefined on NoSuchKey", async () => {
    const s3 = mockClient(S3Client);
    s3.on(PutObjectCommand).resolves({});
    s3.on(GetObjectCommand, { Key: "tenants/t1/a/b" }).resolves({
      // The SDK's stream mixin, reduced to the one method the adapter calls.
      Body: { transformToByteArray: async () => new Uint8Array(Buffer.from("hello")) } as never,
      ContentType: "text/plain",
    });
    s3.on(GetObjectCommand, { Key: "tenants/t1/a/missing" }).rejects(new NoSuchKey({ message: "no", $metadata: {} }));
    const store = s3BlobStore("bucket-1", new S3Client({}));

    await store.put("tenants/t1/a/b", Buffer.from("hello"), { contentType: "text/plain", retentionDays: 30 });
    const got = await store.get("tenants/t1/a/b");
    const missing = await store.get("tenants/t1/a/missing");

    expect(s3.commandCalls(PutObjectCommand)[0]?.args[0].input).toMatchObject({
      Bucket: "bucket-1",
      Key: "tenants/t1/a/b",
      ContentType: "text/plain",
      Tagging: "retention-days=30",
    });
    expect(got?.body.toString()).toBe("hello");
    expect(missing).toBeUndefined();
    s3.restore();
  });
});

describe("S3 blob store links (presigning is local computation: static fake credentials, no network)", () => {
  it("sign a GET of exactly that key, valid for the asked seconds, with the file name to save as", async () => {
    const client = new S3Client({
      region: "eu-west-1",
      credentials: { accessKeyId: "AKIAFAKEFAKEFAKE", secretAccessKey: "fake-secret-for-signing-only" },
    });
    const store = s3BlobStore("warden-blobs-test", client);

    const link = await store.presignGet?.("tenants/t-1/backups/backup-1.tar.gz", 300, { filename: "b.tar.gz" });

    const url = new URL(link ?? "");
    expect(url.protocol).toBe("https:");
    expect(url.host).toBe("warden-blobs-test.s3.eu-west-1.amazonaws.com");
    expect(url.pathname).toBe("/tenants/t-1/backups/backup-1.tar.gz");
    expect(url.searchParams.get("X-Amz-Expires")).toBe("300");
    expect(url.searchParams.get("X-Amz-Algorithm")).toBe("AWS4-HMAC-SHA256");
    expect(url.searchParams.get("X-Amz-Credential")).toMatch(/^AKIAFAKEFAKEFAKE\/\d{8}\/eu-west-1\/s3\/aws4_request$/);
    expect(url.searchParams.get("X-Amz-Signature")).toMatch(/^[0-9a-f]{64}$/);
    expect(url.searchParams.get("X-Amz-SignedHeaders")).toBe("host");
    expect(url.searchParams.get("response-content-disposition")).toBe('attachment; filename="b.tar.gz"');
  });

  it("the folder store has no links (local mode streams instead)", () => {
    expect(folderBlobStore(dir).presignGet).toBeUndefined();
  });
});
