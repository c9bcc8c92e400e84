import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { followLines, type LineFollower } from "#edge/follow.ts";

const scratch = mkdtempSync(join(tmpdir(), "warden-follow-"));
const followers: LineFollower[] = [];
afterAll(async () => {
  for (const f of followers) await f.close();
  rmSync(scratch, { recursive: true, force: true });
});

/** Follows `path` and hands out the lines it delivers, one delivery at a time. */
async function follow(path: string) {
  const pending: string[][] = [];
  const waiting: ((lines: string[]) => void)[] = [];
  const follower = await followLines(path, {
    onLines: (lines) => {
      const waiter = waiting.shift();
      if (waiter) waiter(lines);
      else pending.push(lines);
    },
    onError: (e) => {
      throw e;
    },
  });
  followers.push(follower);
  return {
    next: (): Promise<string[]> => {
      const ready = pending.shift();
      if (ready) return Promise.resolve(ready);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("no lines within 5 s")), 5000);
        waiting.push((lines) => {
          clearTimeout(timer);
          resolve(lines);
        });
      });
    },
  };
}

describe("following a log file", () => {
  it("delivers only lines appended after it started, a partial line once it is complete", async () => {
    const path = join(scratch, "kern.log");
    writeFileSync(path, "old line\n");
    const lines = await follow(path);

    appendFileSync(path, "first\nsecond part");
    const firstBatch = await lines.next();
    appendFileSync(path, " done\n");
    const secondBatch = await lines.next();

    expect(firstBatch).toEqual(["first"]);
    expect(secondBatch).toEqual(["second part done"]);
  });

  it("waits for a file that does not exist yet and reads a truncated file from its start", async () => {
    const path = join(scratch, "later", "auth.log");
    const lines = await follow(path);

    writeFileSync(path, "created with a line\n");
    const created = await lines.next();
    writeFileSync(path, "after rotation\n");
    const rotated = await lines.next();

    expect(created).toEqual(["created with a line"]);
    expect(rotated).toEqual(["after rotation"]);
  });
});
