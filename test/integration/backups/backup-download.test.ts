/**
 * GET /backup/download/{id} chooses how to deliver the file by the blob store it runs with:
 * deployed (the real S3 adapter) a 302 to a presigned GET of this tenant's object, whatever its
 * size; locally (the blob folder) the file itself, up to 4 MB, and a 413 above. The S3 adapter
 * here is the production one with static fake credentials: presigning is local computation, no
 * request reaches S3 (nothing follows the link).
 */
import { createHash } from "node:crypto";
import { S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { folderBlobStore } from "#shared/blobs/adapters/folder.ts";
import { s3BlobStore } from "#shared/blobs/adapters/s3.ts";
import { blobKey, blobs, useBlobStore } from "#shared/blobs/blobs.ts";
import { call, newTenant } from "#test/helpers/api.ts";

type Tenant = Awaited<ReturnType<typeof newTenant>>;
const S = "/cloud-integration/security";
const BUCKET = "warden-blobs-test";
const folder = () => folderBlobStore(process.env.BLOB_DIR as string);
const s3 = () =>
  s3BlobStore(
    BUCKET,
    new S3Client({
      region: "eu-west-1",
      credentials: { accessKeyId: "AKIAFAKEFAKEFAKE", secretAccessKey: "fake-secret-for-signing-only" },
    }),
  );

let acme: Tenant;
let globex: Tenant;
let backup: { backup_id: string; checksum: string; filename: string; download_url: string };

beforeAll(async () => {
  [acme, globex] = await Promise.all([newTenant("dl-acme"), newTenant("dl-globex")]);
  useBlobStore(folder());
  const made = await call("GET", `${S}/backup`, { token: acme.token, query: { components: "roles" } });
  expect(made.status, made.text).toBe(200);
  backup = made.body;
});
afterAll(() => useBlobStore(folder()));

describe("deployed (S3 blob store)", () => {
  beforeAll(() => useBlobStore(s3()));

  it("answers 302 to a presigned GET of this tenant's backup object, valid 5 minutes, no body", async () => {
    const res = await call("GET", backup.download_url, { token: acme.token });

    expect(res.status).toBe(302);
    expect(res.text).toBe("");
    expect(res.headers["Cache-Control"]).toBe("no-store");
    expect(res.headers["X-Checksum-SHA256"]).toBe(backup.checksum.replace(/^sha256:/, ""));
    const url = new URL(res.headers.Location ?? "");
    expect(url.host).toBe(`${BUCKET}.s3.eu-west-1.amazonaws.com`);
    expect(url.pathname).toBe(`/${blobKey(acme.tenantId, "backups", `${backup.backup_id}.tar.gz`)}`);
    expect(url.searchParams.get("X-Amz-Expires")).toBe("300");
    expect(url.searchParams.get("X-Amz-Signature")).toMatch(/^[0-9a-f]{64}$/);
    expect(url.searchParams.get("response-content-disposition")).toBe(`attachment; filename="${backup.filename}"`);
  });

  it("gives another tenant no link: 404", async () => {
    const res = await call("GET", backup.download_url, { token: globex.token });

    expect(res.status).toBe(404);
    expect(res.headers.Location).toBeUndefined();
  });
});

describe("locally (blob folder)", () => {
  beforeAll(() => useBlobStore(folder()));

  it("streams the stored file itself", async () => {
    const res = await call("GET", backup.download_url, { token: acme.token });

    expect(res.status).toBe(200);
    expect(res.headers.Location).toBeUndefined();
    expect(res.headers["Content-Disposition"]).toBe(`attachment; filename="${backup.filename}"`);
    const stored = await blobs.get(blobKey(acme.tenantId, "backups", `${backup.backup_id}.tar.gz`));
    expect(
      `sha256:${createHash("sha256")
        .update(stored?.body ?? "")
        .digest("hex")}`,
    ).toBe(backup.checksum);
  });

  it("refuses a file above 4 MB with 413 naming its size, where S3 would still give the link", async () => {
    const made = await call("GET", `${S}/backup`, { token: acme.token, query: { components: "roles" } });
    const key = blobKey(acme.tenantId, "backups", `${made.body.backup_id}.tar.gz`);
    await blobs.put(key, Buffer.alloc(4_000_001, 7), { contentType: "application/octet-stream" });

    const local = await call("GET", made.body.download_url, { token: acme.token });
    useBlobStore(s3());
    const deployed = await call("GET", made.body.download_url, { token: acme.token });
    useBlobStore(folder());

    expect(local.status).toBe(413);
    expect(local.text).toContain("4000001 bytes");
    expect(deployed.status).toBe(302);
  });
});
