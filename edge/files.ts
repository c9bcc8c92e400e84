/**
 * Atomic file swaps: an artefact is written next to its target (temp name, fsync), validated there,
 * then renamed over the target, so a reader sees the old file or the new one, never half of one.
 * The file it replaces is kept as its `.last-good` copy, which is also what a rollback restores.
 */
import { randomBytes } from "node:crypto";
import { copyFile, link, mkdir, open, readdir, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

export interface Artefact {
  path: string;
  content: string;
  mode?: number;
  /** Where the replaced file is kept; default `<path>.last-good`. */
  lastGoodPath?: string;
}

export interface StagedArtefacts {
  /** The temporary file holding the new content of `path` (for validators). */
  stagedPath(path: string): string;
  /** Swaps every artefact in, keeping each replaced file as its last-good copy. */
  commit(): Promise<void>;
  /** Removes the temporary files (nothing was swapped). */
  discard(): Promise<void>;
  /** After commit: puts the last-good copies back (removes files that did not exist before). */
  rollback(): Promise<void>;
}

function tempNameFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`);
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function writeSynced(path: string, content: string, mode: number): Promise<void> {
  const handle = await open(path, "wx", mode);
  try {
    await handle.writeFile(content, "utf8");
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Replaces `path` atomically (temp file, fsync, rename, fsync of the directory). */
export async function writeFileAtomic(path: string, content: string, mode = 0o644): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = tempNameFor(path);
  try {
    await writeSynced(temp, content, mode);
    await rename(temp, path);
  } catch (e) {
    await rm(temp, { force: true });
    throw e;
  }
  await fsyncDir(dirname(path));
}

/** Copies `from` to `to` atomically; a hard link when possible (same content, no extra I/O). */
async function preserve(from: string, to: string): Promise<void> {
  await mkdir(dirname(to), { recursive: true });
  const temp = tempNameFor(to);
  try {
    await link(from, temp);
  } catch {
    await copyFile(from, temp);
  }
  await rename(temp, to);
}

export async function stageArtefacts(artefacts: readonly Artefact[]): Promise<StagedArtefacts> {
  const staged = new Map<string, string>();
  try {
    for (const artefact of artefacts) {
      await mkdir(dirname(artefact.path), { recursive: true });
      const temp = tempNameFor(artefact.path);
      await writeSynced(temp, artefact.content, artefact.mode ?? 0o644);
      staged.set(artefact.path, temp);
    }
  } catch (e) {
    await Promise.all([...staged.values()].map((temp) => rm(temp, { force: true })));
    throw e;
  }

  const committed: { artefact: Artefact; existed: boolean }[] = [];
  const lastGood = (a: Artefact) => a.lastGoodPath ?? `${a.path}.last-good`;
  const stagedPath = (path: string) => {
    const temp = staged.get(path);
    if (!temp) throw new Error(`not staged: ${path}`);
    return temp;
  };

  return {
    stagedPath,
    async commit() {
      for (const artefact of artefacts) {
        const existed = await exists(artefact.path);
        if (existed) await preserve(artefact.path, lastGood(artefact));
        await rename(stagedPath(artefact.path), artefact.path);
        committed.push({ artefact, existed });
      }
      for (const dir of new Set(artefacts.map((a) => dirname(a.path)))) await fsyncDir(dir);
    },
    async discard() {
      await Promise.all([...staged.values()].map((temp) => rm(temp, { force: true })));
    },
    async rollback() {
      for (const { artefact, existed } of committed.reverse()) {
        if (existed) await preserve(lastGood(artefact), artefact.path);
        else await rm(artefact.path, { force: true });
      }
    },
  };
}

/** Files in `dir` (not directories, not dot-files); empty when the directory does not exist. */
export async function listFiles(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.filter((e) => e.isFile() && !e.name.startsWith(".")).map((e) => e.name);
  } catch {
    return [];
  }
}
