import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type ApplyEnv, applyFirewall, applySsh } from "#edge/apply.ts";
import { reportAfterApply } from "#edge/reconcile.ts";
import { ensureHostKey } from "#edge/tools.ts";
import { firewallDesired, sshDesired } from "./fixtures/desired.ts";

const root = mkdtempSync(join(tmpdir(), "warden-apply-"));
let dir: string;
let env: ApplyEnv;
let userKey: { line: string; fingerprint: string };

/** The OpenSSH SHA256 fingerprint, computed independently of ssh-keygen. */
function sha256Fingerprint(line: string): string {
  const blob = Buffer.from(line.split(" ")[1] ?? "", "base64");
  return `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
}

function sandboxEnv(base: string, overrides: Partial<ApplyEnv> = {}): ApplyEnv {
  return {
    sandbox: true,
    tools: { nft: "/usr/sbin/nft", sshd: "/usr/sbin/sshd", sshKeygen: "/usr/bin/ssh-keygen" },
    paths: {
      nftRuleset: join(base, "etc/nftables.d/warden.nft"),
      sshdConfig: join(base, "etc/ssh/sshd_config"),
      sshBanner: join(base, "etc/ssh/banner"),
      authorizedKeysDir: join(base, "etc/ssh/authorized_keys"),
      authorizedKeysLastGoodDir: join(base, "etc/ssh/authorized_keys.last-good"),
      hostKeys: [join(root, "ssh_host_ed25519_key")],
      sshdPidFile: join(base, "run/sshd.pid"),
    },
    commands: { reloadFirewall: null, reloadSsh: null, stopSsh: null },
    now: () => new Date("2025-03-15T10:00:00Z"),
    ...overrides,
  };
}

const filesIn = (path: string) => (existsSync(path) ? readdirSync(path).sort() : []);

beforeAll(async () => {
  await ensureHostKey("/usr/bin/ssh-keygen", join(root, "ssh_host_ed25519_key"));
  execFileSync("/usr/bin/ssh-keygen", [
    "-q",
    "-t",
    "ed25519",
    "-N",
    "",
    "-C",
    "admin@laptop",
    "-f",
    join(root, "admin_key"),
  ]);
  const line = readFileSync(join(root, "admin_key.pub"), "utf8").trim();
  userKey = { line, fingerprint: sha256Fingerprint(line) };
});
afterAll(() => rmSync(root, { recursive: true, force: true }));
beforeEach(() => {
  dir = mkdtempSync(join(root, "gw-"));
  env = sandboxEnv(dir);
});

describe("firewall apply", () => {
  it("validates with nft -c and swaps the ruleset in, readable only by its owner", async () => {
    const result = await applyFirewall(firewallDesired({ config_version: 1 }), env);

    expect(result.outcome).toEqual({ ok: true, version: 1, validation: "nft -c" });
    expect(readFileSync(env.paths.nftRuleset, "utf8")).toContain("config_version 1.");
    expect(statSync(env.paths.nftRuleset).mode & 0o777).toBe(0o600);
    expect(result.logPrefixes?.["WARDEN-R3-DROP "]).toBeDefined();
  });

  it("keeps the replaced ruleset as .last-good", async () => {
    await applyFirewall(firewallDesired({ config_version: 1 }), env);

    await applyFirewall(firewallDesired({ config_version: 2 }), env);

    expect(readFileSync(env.paths.nftRuleset, "utf8")).toContain("config_version 2.");
    expect(readFileSync(`${env.paths.nftRuleset}.last-good`, "utf8")).toContain("config_version 1.");
  });

  it("keeps the previous ruleset and reports failed when nft -c rejects a smuggled invalid CIDR", async () => {
    const good = await applyFirewall(firewallDesired({ config_version: 1 }), env);
    const previous = reportAfterApply(good.outcome, undefined, env.now());
    const bad = firewallDesired({
      config_version: 2,
      rules: [
        {
          id: 9,
          name: "smuggled",
          chain: "INPUT",
          protocol: "TCP",
          source: "999.1.1.1/33",
          action: "ACCEPT",
          priority: 1,
          enabled: true,
        },
      ],
    });

    const result = await applyFirewall(bad, env);
    const report = reportAfterApply(result.outcome, previous, env.now());

    expect(result.outcome.ok).toBe(false);
    expect(readFileSync(env.paths.nftRuleset, "utf8")).toContain("config_version 1.");
    expect(filesIn(join(dir, "etc/nftables.d"))).toEqual(["warden.nft"]);
    expect(report).toMatchObject({ status: "failed", config_version: 1, failed_version: 2 });
    expect(report.error).toContain("nft -c rejected the ruleset");
    expect(report.error).toContain("999.1.1.1/33");
  });

  it("restores the last good ruleset when the reload command fails", async () => {
    await applyFirewall(firewallDesired({ config_version: 1 }), env);
    const failing = {
      ...env,
      commands: { ...env.commands, reloadFirewall: ["sh", "-c", "echo kernel said no >&2; exit 3"] },
    };

    const result = await applyFirewall(firewallDesired({ config_version: 2 }), failing);

    expect(result.outcome.ok).toBe(false);
    expect(!result.outcome.ok && result.outcome.error).toMatch(/failed, previous config restored: kernel said no/);
    expect(readFileSync(env.paths.nftRuleset, "utf8")).toContain("config_version 1.");
  });

  it("in sandbox mode applies with the reason when nft cannot run; on a gateway it refuses", async () => {
    const noNft = { ...env.tools, nft: join(dir, "no-such-nft") };

    const sandboxed = await applyFirewall(firewallDesired(), { ...env, tools: noNft });
    const gateway = await applyFirewall(firewallDesired({ config_version: 2 }), {
      ...env,
      sandbox: false,
      tools: noNft,
    });

    expect(sandboxed.outcome).toMatchObject({
      ok: true,
      validation: expect.stringMatching(/^skipped: cannot run nft .*ENOENT/),
    });
    expect(gateway.outcome).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^cannot validate with nft -c: /),
    });
    expect(readFileSync(env.paths.nftRuleset, "utf8")).toContain("config_version 1.");
  });
});

describe("ssh apply", () => {
  it("validates with sshd -t and ssh-keygen, then installs sshd_config, banner and per-user keys", async () => {
    const config = sshDesired({
      config_version: 3,
      authorized_keys: [{ username: "admin", key: userKey.line, fingerprint: userKey.fingerprint }],
    });

    const outcome = await applySsh(config, env);

    expect(outcome).toMatchObject({
      ok: true,
      version: 3,
      validation: expect.stringMatching(/^sshd -t.*; ssh-keygen -l$/),
    });
    expect(readFileSync(env.paths.sshdConfig, "utf8")).toContain("Port 2222");
    expect(readFileSync(env.paths.sshBanner, "utf8")).toBe("WARNING: Unauthorized access is prohibited.\n");
    expect(readFileSync(join(env.paths.authorizedKeysDir, "admin"), "utf8")).toBe(`${userKey.line}\n`);
  });

  it("refuses a key whose fingerprint does not match, keeping the previous files", async () => {
    await applySsh(sshDesired({ config_version: 1 }), env);
    const config = sshDesired({
      config_version: 2,
      port: 2200,
      authorized_keys: [
        { username: "admin", key: userKey.line, fingerprint: "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" },
      ],
    });

    const outcome = await applySsh(config, env);

    expect(outcome).toMatchObject({
      ok: false,
      error: expect.stringContaining("authorized key 1 of user admin: fingerprint"),
    });
    expect(readFileSync(env.paths.sshdConfig, "utf8")).toContain("Port 2222");
    expect(filesIn(env.paths.authorizedKeysDir)).toEqual([]);
  });

  it("refuses a config sshd -t rejects and names the error", async () => {
    const outcome = await applySsh({ ...sshDesired(), listen_address: "300.1.1.1" }, env);

    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.error).toMatch(/^sshd -t rejected the config: /);
    expect(existsSync(env.paths.sshdConfig)).toBe(false);
  });

  it("moves the keys of users no longer configured out of the live directory", async () => {
    const withKey = sshDesired({
      authorized_keys: [{ username: "admin", key: userKey.line, fingerprint: userKey.fingerprint }],
    });
    await applySsh(withKey, env);

    await applySsh(sshDesired({ config_version: 2, authorized_keys: [] }), env);

    expect(filesIn(env.paths.authorizedKeysDir)).toEqual([]);
    expect(filesIn(env.paths.authorizedKeysLastGoodDir)).toEqual(["admin"]);
  });
});
