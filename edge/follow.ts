/**
 * Follows a log source and hands over complete new lines: a file (tail -F semantics through
 * inotify: new bytes are read on change, a truncated or replaced file is read from its start),
 * or `journal` / `journal:<journalctl args>` for systems without a kernel log file.
 */
import { spawn } from "node:child_process";
import { type FSWatcher, watch } from "node:fs";
import { mkdir, open, stat } from "node:fs/promises";
import { basename, dirname } from "node:path";
import { createInterface } from "node:readline";

export interface LineFollower {
  close(): Promise<void>;
}

export interface FollowOptions {
  onLines(lines: string[]): void;
  onError(error: Error): void;
  /** journalctl arguments used for the plain `journal` source. */
  defaultJournalArgs?: readonly string[];
}

export async function followLines(source: string, opts: FollowOptions): Promise<LineFollower> {
  if (source === "journal" || source.startsWith("journal:")) {
    const extra =
      source === "journal"
        ? (opts.defaultJournalArgs ?? ["-k"])
        : source.slice("journal:".length).split(" ").filter(Boolean);
    return followJournal(["-f", "-n", "0", "-o", "short-iso", ...extra], opts);
  }
  return followFile(source, opts);
}

async function followFile(path: string, opts: FollowOptions): Promise<LineFollower> {
  const dir = dirname(path);
  const name = basename(path);
  await mkdir(dir, { recursive: true });
  const initial = await stat(path).catch(() => undefined);
  let offset = initial?.size ?? 0;
  let inode = initial?.ino;
  let partial = "";
  let reading: Promise<void> | undefined;
  let again = false;
  let closed = false;

  const readNew = async () => {
    const info = await stat(path).catch(() => undefined);
    if (!info) return;
    if (info.ino !== inode || info.size < offset) {
      inode = info.ino;
      offset = 0;
      partial = "";
    }
    if (info.size === offset) return;
    const handle = await open(path, "r");
    try {
      const length = info.size - offset;
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, offset);
      offset += bytesRead;
      const text = partial + buffer.subarray(0, bytesRead).toString("utf8");
      const lines = text.split("\n");
      partial = lines.pop() ?? "";
      const complete = lines.filter((l) => l.trim() !== "");
      if (complete.length > 0 && !closed) opts.onLines(complete);
    } finally {
      await handle.close();
    }
  };

  const schedule = () => {
    if (closed) return;
    if (reading) {
      again = true;
      return;
    }
    reading = readNew()
      .catch((e: unknown) => opts.onError(e instanceof Error ? e : new Error(String(e))))
      .finally(() => {
        reading = undefined;
        if (again) {
          again = false;
          schedule();
        }
      });
  };

  const watcher: FSWatcher = watch(dir, (_event, filename) => {
    if (filename === null || filename === name) schedule();
  });
  watcher.on("error", (e) => opts.onError(e));
  // Lines written between the stat above and the watch starting are picked up by this first read.
  schedule();

  return {
    async close() {
      closed = true;
      watcher.close();
      await reading;
    },
  };
}

function followJournal(args: string[], opts: FollowOptions): LineFollower {
  const child = spawn("journalctl", args, { stdio: ["ignore", "pipe", "pipe"] });
  child.on("error", (e) => opts.onError(e));
  const lines = createInterface({ input: child.stdout });
  lines.on("line", (line) => {
    if (line.trim() !== "" && !line.startsWith("-- ")) opts.onLines([line]);
  });
  return {
    async close() {
      lines.close();
      if (child.exitCode === null) {
        const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
        child.kill("SIGTERM");
        await exited;
      }
    },
  };
}
