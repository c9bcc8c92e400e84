/**
 * The SSH area's stored documents (versioned scopes, see fleet-config.ts): sshd settings, the
 * public keys of each login (authorized_keys), and SSH session terminations the cloud asked a
 * gateway for. Public keys are public: they travel in the shadow. Nothing secret is stored here.
 * Field names are the shadow contract's (edge/contract.ts), snake_case, since these documents are
 * what the shadows carry; what a request may ask for is checked by the request schemas (schemas.ts).
 *
 * Access patterns: a scope's document is read and written with the scope (fleet-config.ts).
 */
import * as z from "zod/mini";

export const LOGIN_METHODS = ["key", "password", "both"] as const;

export const SshSettings = z.object({
  enabled: z.boolean(),
  port: z.number(),
  listen_address: z.string(),
  login_method: z.enum(LOGIN_METHODS),
  password_authentication: z.boolean(),
  restricted_shell: z.boolean(),
  /** Minutes of inactivity before sshd drops an SSH session; 0 disables the timeout. */
  session_timeout: z.number(),
  max_sessions_per_user: z.number(),
  max_auth_attempts: z.number(),
  banner_enabled: z.boolean(),
  banner_message: z.string(),
  allowed_commands: z.array(z.string()),
  allowed_directories: z.array(z.string()),
  require_tty: z.boolean(),
  compression: z.boolean(),
});
export type SshSettings = z.infer<typeof SshSettings>;

export const SshSettingsPatch = z.partial(SshSettings);
export type SshSettingsPatch = z.infer<typeof SshSettingsPatch>;

/** Defaults are the values of the gateway spec's "Get SSH Settings" example. */
export const DEFAULT_SSH_SETTINGS: SshSettings = {
  enabled: true,
  port: 22,
  listen_address: "0.0.0.0",
  login_method: "key",
  password_authentication: false,
  restricted_shell: true,
  session_timeout: 30,
  max_sessions_per_user: 3,
  max_auth_attempts: 3,
  banner_enabled: true,
  banner_message: "Authorized access only. All activities are monitored.",
  allowed_commands: ["ls", "cat", "ifconfig", "ping", "tail", "grep", "df", "ps", "top", "free", "uptime", "who"],
  allowed_directories: ["/var/log", "/tmp"],
  require_tty: true,
  compression: false,
};

export const StoredSshKey = z.object({
  username: z.string(),
  fingerprint: z.string(),
  /** Wire algorithm name (`ssh-ed25519`) and base64 blob: what an authorized_keys line needs. */
  algorithm: z.string(),
  blob: z.string(),
  type: z.string(),
  size: z.number(),
  comment: z._default(z.string(), ""),
  added: z.string(),
  added_by: z._default(z.string(), ""),
});
export type StoredSshKey = z.infer<typeof StoredSshKey>;

export const TerminateRequest = z.object({
  session_id: z.string(),
  reason: z._default(z.string(), ""),
  notify_user: z._default(z.boolean(), false),
  requested_at: z.string(),
  requested_by: z._default(z.string(), ""),
});
export type TerminateRequest = z.infer<typeof TerminateRequest>;

export const SshScopeDoc = z.object({
  settings: z._default(SshSettingsPatch, {}),
  keys: z._default(z.array(StoredSshKey), []),
  terminate_sessions: z._default(z.array(TerminateRequest), []),
});
export type SshScopeDoc = z.infer<typeof SshScopeDoc>;

export function parseSshDoc(doc: unknown): SshScopeDoc {
  return SshScopeDoc.parse(doc ?? {});
}
