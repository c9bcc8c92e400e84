import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SshDesired } from "#edge/contract.ts";
import { renderSshd } from "#edge/render-sshd.ts";
import { checkSshdConfig, ensureHostKey } from "#edge/tools.ts";
import { sshDesired } from "./fixtures/desired.ts";

const scratch = mkdtempSync(join(tmpdir(), "warden-sshd-"));
const hostKey = join(scratch, "ssh_host_ed25519_key");
const paths = {
  hostKeys: [hostKey],
  authorizedKeysDir: join(scratch, "authorized_keys"),
  bannerFile: join(scratch, "banner"),
  pidFile: join(scratch, "sshd.pid"),
};

beforeAll(async () => {
  await ensureHostKey("/usr/bin/ssh-keygen", hostKey);
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function settings(config: SshDesired): Map<string, string> {
  const lines = renderSshd(config, paths)
    .sshdConfig.split("\n")
    .filter((l) => l && !l.startsWith("#"));
  return new Map(lines.map((l) => [l.slice(0, l.indexOf(" ")), l.slice(l.indexOf(" ") + 1)]));
}

async function sshdCheck(text: string) {
  const file = join(scratch, `sshd_config-${Math.random().toString(16).slice(2)}`);
  writeFileSync(file, text);
  return checkSshdConfig("/usr/sbin/sshd", file, "/etc/ssh/sshd_config");
}

describe("sshd_config renderer", () => {
  it("renders port, address, limits and the sandbox paths", () => {
    const s = settings(
      sshDesired({ port: 2222, listen_address: "192.168.1.100", max_auth_attempts: 3, max_sessions: 4 }),
    );

    expect(s.get("Port")).toBe("2222");
    expect(s.get("ListenAddress")).toBe("192.168.1.100");
    expect(s.get("MaxAuthTries")).toBe("3");
    expect(s.get("MaxSessions")).toBe("4");
    expect(s.get("HostKey")).toBe(hostKey);
    expect(s.get("AuthorizedKeysFile")).toBe(`${paths.authorizedKeysDir}/%u`);
    expect(s.get("PidFile")).toBe(paths.pidFile);
  });

  it.each([
    ["key", false, "yes", "no", "prohibit-password"],
    ["password", true, "no", "yes", "yes"],
    ["both", true, "yes", "yes", "yes"],
    ["both", false, "yes", "no", "prohibit-password"],
  ] as const)(
    "login_method %s with password_authentication %s → Pubkey %s, Password %s, root %s",
    (login_method, password_authentication, pubkey, password, root) => {
      const s = settings(sshDesired({ login_method, password_authentication, permit_root_login: true }));

      expect(s.get("PubkeyAuthentication")).toBe(pubkey);
      expect(s.get("PasswordAuthentication")).toBe(password);
      expect(s.get("PermitRootLogin")).toBe(root);
    },
  );

  it("forbids root login unless permitted", () => {
    expect(settings(sshDesired({ permit_root_login: false })).get("PermitRootLogin")).toBe("no");
  });

  it("drops unresponsive clients after the session timeout, or never when it is 0", () => {
    const timed = settings(sshDesired({ session_timeout_minutes: 45 }));
    const untimed = settings(sshDesired({ session_timeout_minutes: 0 }));

    expect([timed.get("ClientAliveInterval"), timed.get("ClientAliveCountMax")]).toEqual(["60", "45"]);
    expect(untimed.get("ClientAliveInterval")).toBe("0");
  });

  it("writes the banner file only when the banner is enabled", () => {
    const on = renderSshd(sshDesired({ banner_enabled: true, banner_message: "Authorized access only." }), paths);
    const off = renderSshd(sshDesired({ banner_enabled: false }), paths);

    expect(on.banner).toBe("Authorized access only.\n");
    expect(on.sshdConfig).toContain(`Banner ${paths.bannerFile}`);
    expect(off.banner).toBeNull();
    expect(off.sshdConfig).toContain("Banner none");
  });

  it("restricts logins to allow_users and renders one authorized_keys file per user", () => {
    const rendered = renderSshd(
      sshDesired({
        allow_users: ["admin", "ops01"],
        authorized_keys: [
          { username: "admin", key: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA admin@laptop", fingerprint: "SHA256:x" },
          { username: "ops01", key: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB", fingerprint: "SHA256:y" },
          { username: "admin", key: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIC admin@phone", fingerprint: "SHA256:z" },
        ],
      }),
      paths,
    );

    expect(rendered.sshdConfig).toContain("AllowUsers admin ops01");
    expect(rendered.authorizedKeys.get("admin")).toBe(
      "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA admin@laptop\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIC admin@phone\n",
    );
    expect([...rendered.authorizedKeys.keys()]).toEqual(["admin", "ops01"]);
  });
});

describe("sshd_config renderer output checked by sshd -t", () => {
  it("accepts the rendered configuration for every login method", async () => {
    for (const login_method of ["key", "password", "both"] as const) {
      const text = renderSshd(
        sshDesired({ login_method, compression: true, permit_root_login: true }),
        paths,
      ).sshdConfig;

      expect(await sshdCheck(text)).toMatchObject({ status: "valid" });
    }
  });

  it("rejects a port smuggled past validation and names the final file", async () => {
    const text = renderSshd({ ...sshDesired(), port: 99999 }, paths).sshdConfig;

    const result = await sshdCheck(text);

    expect(result.status).toBe("invalid");
    expect(result.status === "invalid" && result.error).toMatch(
      /\/etc\/ssh\/sshd_config line \d+: Badly formatted port number/,
    );
  });

  it("rejects a host key that does not exist", async () => {
    const text = renderSshd(sshDesired(), { ...paths, hostKeys: [join(scratch, "missing_key")] }).sshdConfig;

    expect((await sshdCheck(text)).status).toBe("invalid");
  });
});
