/**
 * The local blob store: each blob a file under `root` at its key's path, with a small JSON sidecar
 * (`<file>.meta.json`) holding its content type and expiry. An expired blob reads as missing and is
 * removed then, as the bucket's lifecycle rule would have removed it.
 */
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join, resolve, sep } from "node:path";
import type { BlobStore } from "../store-port.ts";

interface Sidecar {
  contentType: string;
  expiresAt?: string;
}

export function folderBlobStore(rootDir: string): BlobStore {
  const root = resolve(rootDir);
  const pathOf = (key: string) => {
    const path = resolve(join(root, key));
    if (!path.startsWith(root + sep)) throw new Error(`blob key escapes the store: ${key}`);
    return path;
  };
  const remove = async (path: string) => {
    await rm(path, { force: true });
    await rm(`${path}.meta.json`, { force: true });
  };
  return {
    async put(key, body, meta) {
      const path = pathOf(key);
      await mkdir(dirname(path), { recursive: true });
      const sidecar: Sidecar = {
        contentType: meta.contentType,
        ...(meta.retentionDays
          ? { expiresAt: new Date(Date.now() + meta.retentionDays * 86_400_000).toISOString() }
          : {}),
      };
      // Written aside then renamed: a reader never sees half a file.
      await writeFile(`${path}.tmp`, body);
      await writeFile(`${path}.meta.json`, JSON.stringify(sidecar));
      await rename(`${path}.tmp`, path);
    },
    async get(key) {
      const path = pathOf(key);
      let sidecar: Sidecar;
      try {
        sidecar = JSON.parse(await readFile(`${path}.meta.json`, "utf8")) as Sidecar;
      } catch {
        return undefined;
      }
      if (sidecar.expiresAt && Date.parse(sidecar.expiresAt) <= Date.now()) {
        await remove(path);
        return undefined;
      }
      try {
        return { body: await readFile(path), contentType: sidecar.contentType };
      } catch {
        return undefined;
      }
    },
    async delete(key) {
      await remove(pathOf(key));
    },
  };
}
