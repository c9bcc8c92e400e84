/**
 * Appliers: render → stage next to the target → validate with the real tool → swap in atomically
 * (previous file kept as last-good) → run the reload command → roll back if the reload fails.
 * A config that does not validate never touches the live files.
 *
 * In sandbox mode nothing is reloaded, and a tool that cannot run here (no nft privileges, no sshd)
 * is reported as `validation: "skipped: <reason>"` instead of failing the apply; on a gateway the
 * same situation fails the apply, because an unchecked ruleset must not go live.
 */
import { mkdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import type { FirewallDesired, SshDesired } from "./contract.ts";
import { type Artefact, listFiles, type StagedArtefacts, stageArtefacts } from "./files.ts";
import type { ApplyOutcome } from "./reconcile.ts";
import { type LogPrefixMap, renderNftRuleset } from "./render-nft.ts";
import { renderSshd } from "./render-sshd.ts";
import { type CheckResult, checkNftRuleset, checkSshdConfig, fingerprintKeys, run } from "./tools.ts";

export interface ApplyEnv {
  sandbox: boolean;
  tools: { nft: string; sshd: string; sshKeygen: string };
  paths: {
    nftRuleset: string;
    sshdConfig: string;
    sshBanner: string;
    authorizedKeysDir: string;
    /** Previous per-user key files (kept outside authorizedKeysDir so no user name can reach them). */
    authorizedKeysLastGoodDir: string;
    hostKeys: readonly string[];
    sshdPidFile?: string;
  };
  /** argv arrays, run without a shell; null: nothing to run (sandbox mode). */
  commands: { reloadFirewall: string[] | null; reloadSsh: string[] | null; stopSsh: string[] | null };
  now(): Date;
}

export interface FirewallApplyResult {
  outcome: ApplyOutcome;
  /** The prefixes of the ruleset now live (absent when nothing changed). */
  logPrefixes?: LogPrefixMap;
}

export async function applyFirewall(config: FirewallDesired, env: ApplyEnv): Promise<FirewallApplyResult> {
  const version = config.config_version;
  const rendered = renderNftRuleset(config, { now: env.now() });
  const target = env.paths.nftRuleset;
  const staged = await stageArtefacts([{ path: target, content: rendered.text, mode: 0o600 }]);

  const check = await checkNftRuleset(env.tools.nft, staged.stagedPath(target), target);
  const verdict = judge(check, "nft -c", env.sandbox);
  if (!verdict.ok) {
    await staged.discard();
    return { outcome: { ok: false, version, error: verdict.error } };
  }
  const failure = await swapAndReload(staged, env.commands.reloadFirewall, env.commands.reloadFirewall);
  if (failure) return { outcome: { ok: false, version, error: failure, validation: verdict.validation } };
  return { outcome: { ok: true, version, validation: verdict.validation }, logPrefixes: rendered.logPrefixes };
}

export async function applySsh(config: SshDesired, env: ApplyEnv): Promise<ApplyOutcome> {
  const version = config.config_version;
  const { paths } = env;
  const rendered = renderSshd(config, {
    hostKeys: paths.hostKeys,
    authorizedKeysDir: paths.authorizedKeysDir,
    bannerFile: paths.sshBanner,
    ...(paths.sshdPidFile && { pidFile: paths.sshdPidFile }),
  });
  const keyFile = (user: string) => join(paths.authorizedKeysDir, user);
  const artefacts: Artefact[] = [
    { path: paths.sshdConfig, content: rendered.sshdConfig, mode: 0o644 },
    ...(rendered.banner === null ? [] : [{ path: paths.sshBanner, content: rendered.banner, mode: 0o644 }]),
    ...[...rendered.authorizedKeys].map(([user, content]) => ({
      path: keyFile(user),
      content,
      mode: 0o644,
      lastGoodPath: join(paths.authorizedKeysLastGoodDir, user),
    })),
  ];
  const staged = await stageArtefacts(artefacts);

  const keys = await checkAuthorizedKeys(config, env, (user) => staged.stagedPath(keyFile(user)));
  const keyVerdict = judge(keys, "ssh-keygen -l", env.sandbox);
  const sshd = keyVerdict.ok
    ? await checkSshdConfig(env.tools.sshd, staged.stagedPath(paths.sshdConfig), paths.sshdConfig)
    : undefined;
  const sshdVerdict = sshd ? judge(sshd, "sshd -t", env.sandbox) : keyVerdict;
  if (!keyVerdict.ok || !sshdVerdict.ok) {
    await staged.discard();
    const error = !keyVerdict.ok ? keyVerdict.error : sshdVerdict.ok ? "" : sshdVerdict.error;
    return { ok: false, version, error };
  }
  const validation = `${sshdVerdict.validation}; ${keyVerdict.validation}`;

  const command = config.enabled ? env.commands.reloadSsh : env.commands.stopSsh;
  const failure = await swapAndReload(staged, command, env.commands.reloadSsh, async () => {
    // Keys of users no longer configured leave the live directory (kept with the last-good copies).
    for (const name of await listFiles(paths.authorizedKeysDir)) {
      if (!rendered.authorizedKeys.has(name)) {
        await mkdir(paths.authorizedKeysLastGoodDir, { recursive: true });
        await rename(join(paths.authorizedKeysDir, name), join(paths.authorizedKeysLastGoodDir, name)).catch(() =>
          rm(join(paths.authorizedKeysDir, name), { force: true }),
        );
      }
    }
  });
  if (failure) return { ok: false, version, error: failure, validation };
  return { ok: true, version, validation };
}

type Verdict = { ok: true; validation: string } | { ok: false; error: string };

function judge(check: CheckResult, tool: string, sandbox: boolean): Verdict {
  switch (check.status) {
    case "valid":
      return { ok: true, validation: check.note ? `${tool} (${check.note})` : tool };
    case "invalid":
      return { ok: false, error: check.error };
    case "unavailable":
      return sandbox
        ? { ok: true, validation: `skipped: ${check.reason}` }
        : { ok: false, error: `cannot validate with ${tool}: ${check.reason}` };
  }
}

/** Every key must parse and match the fingerprint the cloud recorded for it. */
async function checkAuthorizedKeys(
  config: SshDesired,
  env: ApplyEnv,
  stagedFile: (user: string) => string,
): Promise<CheckResult> {
  const byUser = new Map<string, SshDesired["authorized_keys"]>();
  for (const entry of config.authorized_keys)
    byUser.set(entry.username, [...(byUser.get(entry.username) ?? []), entry]);
  for (const [user, entries] of byUser) {
    for (const hash of ["sha256", "md5"] as const) {
      const wanted = entries.map((e, index) => ({ index, fingerprint: e.fingerprint.trim() }));
      const relevant = wanted.filter((w) => (hash === "md5") === w.fingerprint.toUpperCase().startsWith("MD5:"));
      if (relevant.length === 0) continue;
      const result = await fingerprintKeys(env.tools.sshKeygen, stagedFile(user), hash);
      if (!result.ok) {
        return result.unavailable
          ? { status: "unavailable", reason: result.error }
          : { status: "invalid", error: `authorized key of user ${user} is not a valid public key: ${result.error}` };
      }
      for (const { index, fingerprint } of relevant) {
        const actual = result.fingerprints[index] ?? "";
        if (normalizeFingerprint(actual) !== normalizeFingerprint(fingerprint)) {
          return {
            status: "invalid",
            error: `authorized key ${index + 1} of user ${user}: fingerprint ${fingerprint} does not match the key (${actual})`,
          };
        }
      }
    }
  }
  return { status: "valid" };
}

function normalizeFingerprint(fingerprint: string): string {
  const [kind = "", ...rest] = fingerprint.split(":");
  const value = rest.join(":");
  return kind.toUpperCase() === "MD5"
    ? `MD5:${value.toLowerCase()}`
    : `${kind.toUpperCase()}:${value.replace(/=+$/, "")}`;
}

/** Commits, runs the command, and on its failure restores the last-good files and reloads them. */
async function swapAndReload(
  staged: StagedArtefacts,
  command: string[] | null,
  restoreCommand: string[] | null,
  afterCommit?: () => Promise<void>,
): Promise<string | undefined> {
  await staged.commit();
  await afterCommit?.();
  if (!command) return undefined;
  const [file, ...args] = command;
  if (!file) return undefined;
  const result = await run(file, args);
  if (result.code === 0) return undefined;
  await staged.rollback();
  const [restoreFile, ...restoreArgs] = restoreCommand ?? [];
  if (restoreFile) await run(restoreFile, restoreArgs);
  const detail = result.spawnError ?? (`${result.stderr}${result.stdout}`.trim() || `exit code ${result.code}`);
  return `${command.join(" ")} failed, previous config restored: ${detail.slice(0, 1000)}`;
}
