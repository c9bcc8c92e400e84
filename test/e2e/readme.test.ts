/**
 * The README's "First 15 minutes" runs as written: every `sh` block of that section, in order, as
 * one bash script (`set -euo pipefail`) against `npm start`, with only what a reader sets
 * themselves given through the environment (the URL, the admin password, the data directory).
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { root, type Started, startPlatform } from "./support/platform.ts";

const run = promisify(execFile);
const PASSWORD = "Readme#Fifteen-2026x";
let platform: Started;
let dataDir: string;

/** The `sh` blocks between "## First 15 minutes" and the next heading. */
function firstFifteenMinutes(readme: string): string[] {
  const start = readme.indexOf("\n## First 15 minutes");
  if (start < 0) throw new Error("README has no '## First 15 minutes' section");
  const rest = readme.slice(start + 1);
  const end = rest.slice(3).search(/\n#{1,3} /);
  const section = end < 0 ? rest : rest.slice(0, end + 3);
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? "");
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "warden-readme-"));
  platform = await startPlatform({
    WARDEN_ADMIN_USERNAME: "admin",
    WARDEN_ADMIN_PASSWORD: PASSWORD,
    WARDEN_DATA_DIR: dataDir,
  });
}, 240_000);

afterAll(async () => {
  await platform?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe("README: first 15 minutes", () => {
  it("runs every command of the section green against npm start", async () => {
    const blocks = firstFifteenMinutes(await readFile(join(root, "README.md"), "utf8"));
    expect(blocks.length).toBeGreaterThanOrEqual(7);
    const script = ["set -euo pipefail", ...blocks].join("\n");
    const { stdout } = await run("bash", ["-c", script], {
      cwd: dataDir,
      env: { ...process.env, WARDEN_URL: platform.url, WARDEN_ADMIN_PASSWORD: PASSWORD, WARDEN_DATA_DIR: dataDir },
      maxBuffer: 16 * 1024 * 1024,
      timeout: 120_000,
    }).catch((e: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(`README commands failed: ${e.message}\nstdout:\n${e.stdout}\nstderr:\n${e.stderr}`);
    });
    // What each step promises the reader.
    expect(stdout).toContain('"username": "admin"');
    expect(stdout).toContain('"user": "olivia"');
    expect(stdout).toMatch(/"temporary_password": "\S+"/);
    expect(stdout).toContain('"status": "registered"');
    expect(stdout).toMatch(/comment "rule \d+: Block Telnet"/);
    expect(stdout).toContain("MaxAuthTries 3");
    expect(stdout).toContain("admin - Firewall Rule Added");
    expect(stdout).toContain("%PDF-");
    expect(stdout).toContain("200 text/html");
    expect(stdout).toContain('"ok"');
  }, 200_000);
});
