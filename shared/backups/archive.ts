/**
 * The backup's tar.gz: plain files (no links, devices or absolute paths), packed with tar-stream
 * and gzip. Unpacking is bounded — at most 10,000 entries, 64 MiB uncompressed in all — and
 * refuses anything but regular files and directories with plain relative names, so a crafted
 * archive can neither exhaust the function nor name a file outside the backup.
 */
import { gunzip, gzip } from "node:zlib";
import { extract, pack } from "tar-stream";
import { unreadable } from "./format.ts";

export interface ArchiveFile {
  name: string;
  body: Buffer;
}

const MAX_ENTRIES = 10_000;
const MAX_UNPACKED_BYTES = 64 * 1024 * 1024;
const NAME = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.@-]+)*\/?$/;

export async function packArchive(files: ArchiveFile[], mtime: Date): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    p.on("data", (c: unknown) => chunks.push(c as Buffer));
    p.on("end", () => resolve(Buffer.concat(chunks)));
    p.on("error", reject);
  });
  const dirs = new Set<string>();
  for (const f of files) {
    const parts = f.name.split("/");
    for (let i = 1; i < parts.length; i++) {
      const dir = `${parts.slice(0, i).join("/")}/`;
      if (!dirs.has(dir)) {
        dirs.add(dir);
        p.entry({ name: dir, type: "directory", mode: 0o700, mtime });
      }
    }
    p.entry({ name: f.name, size: f.body.length, mode: 0o600, mtime }, f.body);
  }
  p.finalize();
  const tar = await done;
  return new Promise((resolve, reject) => gzip(tar, { level: 9 }, (e, out) => (e ? reject(e) : resolve(out))));
}

/** The archive's regular files by name; a malformed or oversized archive is a 400 naming `file`. */
export async function unpackArchive(gz: Buffer): Promise<Map<string, Buffer>> {
  const tar = await new Promise<Buffer>((resolve, reject) =>
    gunzip(gz, { maxOutputLength: MAX_UNPACKED_BYTES }, (e, out) =>
      e ? reject(unreadable("not a readable .tar.gz (or larger than 64 MiB unpacked)")) : resolve(out),
    ),
  );
  const files = new Map<string, Buffer>();
  const ex = extract();
  let entries = 0;
  let failure: Error | undefined;
  const finished = new Promise<void>((resolve, reject) => {
    ex.on("entry", (header, stream, next) => {
      entries += 1;
      const chunks: Buffer[] = [];
      stream.on("data", (c: unknown) => chunks.push(c as Buffer));
      stream.on("end", () => {
        if (entries > MAX_ENTRIES) failure ??= unreadable(`more than ${MAX_ENTRIES} entries in the archive`);
        else if (!NAME.test(header.name) || header.name.split("/").includes("..")) {
          failure ??= unreadable(`archive entry '${header.name.slice(0, 80)}' has a name a backup never writes`);
        } else if (header.type === "file") files.set(header.name, Buffer.concat(chunks));
        else if (header.type !== "directory") failure ??= unreadable(`archive entry '${header.name}' is not a file`);
        next();
      });
      stream.resume();
    });
    ex.on("finish", resolve);
    ex.on("error", () => reject(unreadable("not a readable .tar.gz")));
  });
  ex.end(tar);
  await finished;
  if (failure) throw failure;
  return files;
}
