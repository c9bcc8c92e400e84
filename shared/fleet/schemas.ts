/**
 * Request schemas of tenant settings areas that more than one route accepts: the firewall and SSH
 * settings patches are bodies of their own routes (which add `gateway_id` for one gateway's
 * overrides) and sections of POST /settings/save-all (tenant-wide only). One definition, so the
 * two routes can never validate the same field differently.
 */
import * as z from "zod/mini";
import { DEFAULT_POLICIES, LOG_LEVELS } from "#shared/fleet/db/firewall.ts";
import { LOGIN_METHODS } from "#shared/fleet/db/ssh.ts";
import { schemas } from "./net-validation.ts";

const count = (min: number, max: number) => z.number().check(z.int(), z.gte(min), z.lte(max));
const upper = <const T extends readonly [string, ...string[]]>(values: T, what: string) =>
  z.pipe(
    z.pipe(
      z.string(),
      z.transform((v) => v.toUpperCase()),
    ),
    z.enum(values, { error: () => `${what} must be one of ${values.join(", ")}` }),
  );

/** POST /firewall/settings without `gateway_id`. */
export const FirewallSettingsBody = z.strictObject({
  enabled: z.optional(z.boolean()),
  default_policy: z.optional(upper(DEFAULT_POLICIES, "default_policy")),
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
