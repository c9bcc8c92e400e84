/**
 * Renders the desired SSH settings as a complete sshd_config, the banner, and one authorized_keys
 * file per user (`AuthorizedKeysFile <dir>/%u`): a key is uploaded for a user, so it must only
 * open that user's account.
 *
 * Derived settings:
 * - PubkeyAuthentication: login_method "key" or "both";
 * - PasswordAuthentication: login_method "password" or "both" AND password_authentication
 *   (passwords only when both fields allow them);
 * - PermitRootLogin: "no", or when permitted "prohibit-password" for key-only logins, else "yes";
 * - session_timeout_minutes: ClientAliveInterval 60 with ClientAliveCountMax = minutes, so an
 *   unresponsive client is dropped after the timeout (0 disables it).
 */
import type { SshDesired } from "./contract.ts";

export interface SshdPaths {
  /** Host private keys (HostKey lines); empty means sshd's compiled-in defaults. */
  hostKeys: readonly string[];
  /** Directory of per-user authorized_keys files. */
  authorizedKeysDir: string;
  bannerFile: string;
  /** Set in sandbox mode so nothing points at /run. */
  pidFile?: string;
}

export interface RenderedSsh {
  sshdConfig: string;
  /** Null when the banner is disabled. */
  banner: string | null;
  /** username → file content, one key per line. */
  authorizedKeys: Map<string, string>;
}

const yesNo = (value: boolean) => (value ? "yes" : "no");

export function renderSshd(config: SshDesired, paths: SshdPaths): RenderedSsh {
  const pubkey = config.login_method !== "password";
  const password = config.login_method !== "key" && config.password_authentication;
  const rootLogin = !config.permit_root_login ? "no" : password ? "yes" : "prohibit-password";
  const timeout = config.session_timeout_minutes;

  const lines = [
    `# Warden SSH settings, config_version ${config.config_version}. Written by warden-edge; the next config replaces it.`,
    `Port ${config.port}`,
    `ListenAddress ${config.listen_address}`,
    ...paths.hostKeys.map((key) => `HostKey ${key}`),
    ...(paths.pidFile ? [`PidFile ${paths.pidFile}`] : []),
    `PubkeyAuthentication ${yesNo(pubkey)}`,
    `PasswordAuthentication ${yesNo(password)}`,
    "KbdInteractiveAuthentication no",
    "PermitEmptyPasswords no",
    `PermitRootLogin ${rootLogin}`,
    `MaxAuthTries ${config.max_auth_attempts}`,
    `MaxSessions ${config.max_sessions}`,
    `ClientAliveInterval ${timeout > 0 ? 60 : 0}`,
    `ClientAliveCountMax ${timeout > 0 ? timeout : 3}`,
    `AuthorizedKeysFile ${paths.authorizedKeysDir}/%u`,
    `Banner ${config.banner_enabled ? paths.bannerFile : "none"}`,
    ...(config.allow_users && config.allow_users.length > 0 ? [`AllowUsers ${config.allow_users.join(" ")}`] : []),
    ...(config.compression === undefined ? [] : [`Compression ${yesNo(config.compression)}`]),
    "StrictModes yes",
    "LoginGraceTime 30",
    "X11Forwarding no",
    "AllowAgentForwarding no",
    "UsePAM yes",
    "PrintMotd no",
    // VERBOSE logs the key fingerprint of each login, which the session events report.
    "LogLevel VERBOSE",
    "Subsystem sftp internal-sftp",
    "",
  ];

  const authorizedKeys = new Map<string, string>();
  for (const entry of config.authorized_keys) {
    authorizedKeys.set(entry.username, `${authorizedKeys.get(entry.username) ?? ""}${entry.key.trim()}\n`);
  }

  return {
    sshdConfig: lines.join("\n"),
    banner: config.banner_enabled ? `${config.banner_message.replace(/\r\n/g, "\n").trimEnd()}\n` : null,
    authorizedKeys,
  };
}
