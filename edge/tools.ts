/**
 * The real tools that vouch for an artefact before it is swapped in: `nft -c -f`, `sshd -t -f`,
 * `ssh-keygen -l -f`. Each result says whether the artefact is valid, invalid (with the tool's own
 * error text), or whether the tool could not run here at all (and why).
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";

export type CheckResult =
  | { status: "valid"; note?: string }
  | { status: "invalid"; error: string }
  | { status: "unavailable"; reason: string };

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Set when the program could not be started (ENOENT, EACCES…). */
  spawnError?: string;
}

const TOOL_TIMEOUT_MS = 20_000;
const MAX_ERROR_CHARS = 1500;

export function run(
  file: string,
  args: readonly string[],
  opts: { input?: string; timeoutMs?: number } = {},
): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(
      file,
      args,
      { timeout: opts.timeoutMs ?? TOOL_TIMEOUT_MS, maxBuffer: 4 * 1024 * 1024, encoding: "utf8" },
      (error, stdout, stderr) => {
        if (!error) {
          resolve({ code: 0, stdout, stderr });
        } else if (typeof error.code === "string") {
          resolve({ code: null, stdout, stderr, spawnError: `${file}: ${error.code}` });
        } else if (typeof error.code === "number") {
          resolve({ code: error.code, stdout, stderr });
        } else {
          resolve({ code: null, stdout, stderr: `${stderr}\n${file} was stopped (${error.signal ?? "timeout"})` });
        }
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** The tool's message, with the staging file's name replaced by the file it will become. */
function errorText(result: RunResult, stagedPath: string, finalPath: string): string {
  const text = `${result.stderr}${result.stdout}`.split(stagedPath).join(finalPath).trim();
  return (text || `exited with code ${result.code}`).slice(0, MAX_ERROR_CHARS);
}

/**
 * `nft -c -f file`. When the check fails, a known-good one-line ruleset tells a bad ruleset apart
 * from an nft that cannot check anything here (no CAP_NET_ADMIN, no nf_tables in the kernel).
 */
export async function checkNftRuleset(nftBin: string, stagedPath: string, finalPath: string): Promise<CheckResult> {
  const result = await run(nftBin, ["-c", "-f", stagedPath]);
  if (result.spawnError) return { status: "unavailable", reason: `cannot run nft (${result.spawnError})` };
  if (result.code === 0) return { status: "valid" };
  const probe = await run(nftBin, ["-c", "-f", "-"], { input: "table inet warden_probe {\n}\n" });
  if (probe.code !== 0) {
    return { status: "unavailable", reason: `nft -c cannot run here: ${errorText(probe, "-", "-") || "probe failed"}` };
  }
  return { status: "invalid", error: `nft -c rejected the ruleset: ${errorText(result, stagedPath, finalPath)}` };
}

const PRIVSEP_MISSING = /^Missing privilege separation directory: \S+$/;

/**
 * `sshd -t -f file`. sshd checks the privilege separation directory (/run/sshd) after it has parsed
 * the config and loaded the host keys; where that directory is absent (a sandbox, a container),
 * that one complaint means every check of the file itself passed.
 */
export async function checkSshdConfig(sshdBin: string, stagedPath: string, finalPath: string): Promise<CheckResult> {
  const result = await run(sshdBin, ["-t", "-f", stagedPath]);
  if (result.spawnError) return { status: "unavailable", reason: `cannot run sshd (${result.spawnError})` };
  if (result.code === 0) return { status: "valid" };
  const output = `${result.stderr}${result.stdout}`.trim();
  if (PRIVSEP_MISSING.test(output))
    return { status: "valid", note: "privilege separation directory absent on this host" };
  return { status: "invalid", error: `sshd -t rejected the config: ${errorText(result, stagedPath, finalPath)}` };
}

/** Fingerprints (`SHA256:…` or `MD5:…`) of the keys in a file, in file order, as ssh-keygen computes them. */
export async function fingerprintKeys(
  sshKeygenBin: string,
  stagedPath: string,
  hash: "sha256" | "md5",
): Promise<{ ok: true; fingerprints: string[] } | { ok: false; error: string; unavailable: boolean }> {
  const result = await run(sshKeygenBin, ["-l", "-E", hash, "-f", stagedPath]);
  if (result.spawnError) return { ok: false, unavailable: true, error: `cannot run ssh-keygen (${result.spawnError})` };
  if (result.code !== 0)
    return { ok: false, unavailable: false, error: errorText(result, stagedPath, "authorized_keys") };
  const fingerprints = result.stdout
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => l.split(/\s+/)[1] ?? "");
  return { ok: true, fingerprints };
}

/** Creates an ed25519 host key (sandbox mode) unless one exists. */
export async function ensureHostKey(sshKeygenBin: string, path: string): Promise<void> {
  if (existsSync(path)) return;
  const result = await run(sshKeygenBin, [
    "-q",
    "-t",
    "ed25519",
    "-N",
    "",
    "-C",
    "warden-edge sandbox host key",
    "-f",
    path,
  ]);
  if (result.spawnError || result.code !== 0) {
    throw new Error(`cannot create the sandbox host key: ${result.spawnError ?? result.stderr.trim()}`);
  }
}
