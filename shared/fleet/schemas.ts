/**
 * The fleet's request schemas: every body, query and path its routes validate (gateways, firewall,
 * SSH), in one place. Strict: an unknown field is refused, not ignored. Field checks that a
 * firewall or sshd would choke on come from net-validation.ts, so a bad address or port is refused
 * here, naming the field, and never reaches a stored document or a shadow.
 *
 * The firewall and SSH settings patches are bodies of their own routes (which add `gateway_id` for
 * one gateway's overrides) and sections of POST /settings/save-all (tenant-wide only): one
 * definition, so the two routes can never validate the same field differently.
 */
import * as z from "zod/mini";
import { CHAINS, DEFAULT_POLICIES, LOG_LEVELS, PORT_PROTOCOLS } from "#shared/fleet/db/firewall.ts";
import { LOGIN_METHODS } from "#shared/fleet/db/ssh.ts";
import { gatewayIdField, schemas, text, upperEnum } from "./net-validation.ts";

/** The patch a firewall settings change applies (what `updateSettings` takes; the route body without `gateway_id`). */
export type { FirewallSettingsPatch } from "#shared/fleet/db/firewall.ts";
/** The patch an SSH settings change applies (what `updateSshSettings` takes; the route body without `gateway_id`). */
export type { SshSettingsPatch } from "#shared/fleet/db/ssh.ts";

const count = (min: number, max: number) => z.number().check(z.int(), z.gte(min), z.lte(max));

// ---------------------------------------------------------------------------------------------
// Gateways

/** GET and DELETE /gateways/{gateway_id}. */
export const GatewayPath = z.strictObject({ gateway_id: z.coerce.number().check(z.int(), z.positive()) });

/** POST /gateways. */
export const RegisterGatewayBody = z.strictObject({
  name: text(64).check(z.minLength(1)),
  description: z.optional(text(256)),
  location: z.optional(text(128)),
});

// ---------------------------------------------------------------------------------------------
// Firewall

/** GET /firewall/status (and GET /ssh/settings): one gateway's view, or the tenant-wide one. */
export const GatewayQuery = z.strictObject({ gateway_id: gatewayIdField.query });

/** POST /firewall/settings without `gateway_id`. */
export const FirewallSettingsBody = z.strictObject({
  enabled: z.optional(z.boolean()),
  default_policy: z.optional(upperEnum(DEFAULT_POLICIES, "default_policy")),
  rate_limiting: z.optional(
    z.strictObject({
      enabled: z.optional(z.boolean()),
      requests_per_second: z.optional(count(1, 100_000)),
      burst_size: z.optional(count(1, 1_000_000)),
    }),
  ),
  dos_protection: z.optional(z.boolean()),
  syn_flood_protection: z.optional(z.boolean()),
  syn_flood_rate: z.optional(count(1, 100_000)),
  port_scan_detection: z.optional(z.boolean()),
  port_scan_threshold: z.optional(count(1, 1000)),
  vpn_enabled: z.optional(z.boolean()),
  vpn_port: z.optional(schemas.port),
  geo_blocking: z.optional(z.boolean()),
  log_level: z.optional(z.enum(LOG_LEVELS)),
});

/** POST /firewall/settings. */
export const UpdateFirewallSettingsBody = z.extend(FirewallSettingsBody, { gateway_id: gatewayIdField.body });

/** GET /firewall/rules. */
export const RulesQuery = z.strictObject({
  type: z.optional(upperEnum(CHAINS, "type", "input, output, forward")),
  enabled: z.optional(z.stringbool()),
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(1000)), 100),
  gateway_id: gatewayIdField.query,
});

/** POST /firewall/rules/add. */
export const AddRuleBody = z.strictObject({
  name: text(64).check(z.minLength(1)),
  description: z.optional(text(256)),
  chain: schemas.chain,
  port: z.optional(schemas.portSpec),
  protocol: schemas.protocol,
  source: z.optional(schemas.cidr),
  destination: z.optional(schemas.cidr),
  action: schemas.action,
  enabled: z.optional(z.boolean()),
  priority: z.optional(schemas.priority),
  interface: z.optional(schemas.interfaceName),
  log_matches: z.optional(z.boolean()),
  log_prefix: z.optional(schemas.logPrefix),
  gateway_id: gatewayIdField.body,
});

/** POST /firewall/rules/update. */
export const UpdateRuleBody = z.strictObject({
  rule_id: z.number().check(z.int(), z.positive()),
  name: z.optional(text(64).check(z.minLength(1))),
  description: z.optional(text(256)),
  chain: z.optional(schemas.chain),
  /** null removes the port match. */
  port: z.optional(z.nullable(schemas.portSpec)),
  protocol: z.optional(schemas.protocol),
  source: z.optional(schemas.cidr),
  destination: z.optional(schemas.cidr),
  action: z.optional(schemas.action),
  enabled: z.optional(z.boolean()),
  priority: z.optional(schemas.priority),
  interface: z.optional(z.nullable(schemas.interfaceName)),
  log_matches: z.optional(z.boolean()),
  log_prefix: z.optional(z.nullable(schemas.logPrefix)),
  gateway_id: gatewayIdField.body,
});

/** POST /firewall/rules/remove. */
export const RemoveRuleBody = z.strictObject({
  rule_id: z.number().check(z.int(), z.positive()),
  force: z._default(z.boolean(), false),
  gateway_id: gatewayIdField.body,
});

/** POST /firewall/whitelist/manage. */
export const ManageWhitelistBody = z.strictObject({
  action: z.enum(["add", "remove"]),
  ip_address: schemas.cidr,
  description: z.optional(text(256)),
  expires: z.optional(
    z.iso.datetime({ offset: true }).check(z.refine((v) => Date.parse(v) > Date.now(), "must be in the future")),
  ),
  gateway_id: gatewayIdField.body,
});

/** POST /firewall/blacklist/manage. One second to one year; fractions of an hour are fine. */
export const ManageBlacklistBody = z.strictObject({
  action: z.enum(["add", "remove"]),
  ip_address: schemas.cidr,
  reason: z.optional(text(256)),
  duration_hours: z.optional(z.number().check(z.gte(1 / 3600), z.lte(8760))),
  gateway_id: gatewayIdField.body,
});

/** POST /firewall/ports/manage. */
export const ManagePortBody = z.strictObject({
  action: z.enum(["block", "unblock"]),
  port: schemas.port,
  protocol: z._default(upperEnum(PORT_PROTOCOLS, "protocol"), "TCP"),
  reason: z.optional(text(256)),
  gateway_id: gatewayIdField.body,
});

/** GET /firewall/logs. */
export const FirewallLogsQuery = z.strictObject({
  hours: z._default(z.coerce.number().check(z.gt(0), z.lte(24 * 31)), 24),
  action: z.optional(upperEnum(["DROP", "REJECT", "ACCEPT"], "action")),
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(1000)), 100),
  gateway_id: gatewayIdField.query,
});

// ---------------------------------------------------------------------------------------------
// SSH

/** A command name for the restricted shell's allow list: a word, no paths or shell syntax. */
const command = z
  .string()
  .check(z.regex(/^[A-Za-z0-9._+-]{1,64}$/, "must be a command name (letters, digits, . _ + -)"));
/** An absolute directory without `..`, spaces or quotes (it ends up in sshd and shell configuration). */
const directory = z.string().check(
  z.regex(/^\/[A-Za-z0-9._/-]{0,255}$/, "must be an absolute path of letters, digits, . _ / -"),
  z.refine((v) => !v.split("/").includes(".."), "may not contain '..'"),
);

/** POST /ssh/update without `gateway_id`. */
export const SshSettingsBody = z.strictObject({
  enabled: z.optional(z.boolean()),
  port: z.optional(schemas.port),
  listen_address: z.optional(schemas.ip),
  login_method: z.optional(z.enum(LOGIN_METHODS)),
  password_authentication: z.optional(z.boolean()),
  restricted_shell: z.optional(z.boolean()),
  /** Minutes; 0 disables the idle timeout. */
  session_timeout: z.optional(count(0, 1440)),
  max_sessions_per_user: z.optional(count(1, 100)),
  max_auth_attempts: z.optional(count(1, 10)),
  banner_enabled: z.optional(z.boolean()),
  banner_message: z.optional(
    z
      .string()
      .check(z.maxLength(1024), z.regex(/^(?:\n|\P{Cc})*$/u, "may contain printable characters and newlines only")),
  ),
  allowed_commands: z.optional(z.array(command).check(z.maxLength(64))),
  allowed_directories: z.optional(z.array(directory).check(z.maxLength(32))),
  require_tty: z.optional(z.boolean()),
  compression: z.optional(z.boolean()),
});

/** POST /ssh/update. */
export const UpdateSshSettingsBody = z.extend(SshSettingsBody, { gateway_id: gatewayIdField.body });

/** Login names as sshd and useradd accept them (the edge contract's Username). */
export const sshUsername = z
  .string()
  .check(z.regex(/^[a-z_][a-z0-9_.-]{0,31}$/i, "must be a login name (letters, digits, _ . -; at most 32)"));

/** POST /ssh/upload-key: the form fields beside the key file. */
export const UploadSshKeyFields = z.strictObject({
  username: sshUsername,
  comment: z.optional(text(256)),
  gateway_id: gatewayIdField.query,
});

/** POST /ssh/remove-key. */
export const RemoveSshKeyBody = z.strictObject({
  fingerprint: z
    .string()
    .check(z.regex(/^SHA256:[A-Za-z0-9+/]{43}$/, "must be a SHA256 fingerprint as ssh-keygen -lf prints it")),
  username: sshUsername,
  gateway_id: gatewayIdField.body,
});

/** GET /ssh/sessions. */
export const SshSessionsQuery = z.strictObject({
  active_only: z._default(z.stringbool(), true),
  gateway_id: gatewayIdField.query,
});

/** POST /ssh/terminate. */
export const TerminateSshSessionBody = z.strictObject({
  session_id: z.string().check(z.regex(/^[A-Za-z0-9._:-]{1,128}$/, "must be a session id as /ssh/sessions lists it")),
  reason: z.optional(text(256)),
  notify_user: z._default(z.boolean(), false),
});
