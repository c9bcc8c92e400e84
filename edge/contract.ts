/**
 * The contract between the Warden cloud and the edge handler on a gateway: what the cloud writes to
 * the `desired` section of the named shadows `firewall` and `ssh`, what the edge writes back to
 * `reported`, and the events the edge publishes to `warden/<tenant>/<thing>/events`.
 *
 * Both sides import this file (the cloud to build and check what it writes and to validate ingested
 * events, the edge to validate what it receives), so it depends on zod and nothing else.
 *
 * Desired objects are not strict: an older edge ignores fields a newer cloud adds. The cloud can
 * wrap them (`z.strictObject(FirewallDesiredSchema.shape)`) to refuse unknown fields on its side.
 */

import * as z from "zod/mini";
import en from "zod/v4/locales/en.js";

// zod/mini keeps the cloud's function bundles and the edge bundle small; its messages need a locale.
z.config(en());

export const SHADOW_NAMES = ["firewall", "ssh"] as const;
export type ShadowName = (typeof SHADOW_NAMES)[number];

/** IoT Core refuses a shadow whose state is larger than this (UTF-8 JSON without whitespace). */
export const SHADOW_STATE_LIMIT_BYTES = 8192;

export function eventsTopic(tenant: string, thing: string): string {
  return `warden/${tenant}/${thing}/events`;
}

export function namedShadowTopic(thing: string, shadow: ShadowName, suffix: string): string {
  return `$aws/things/${thing}/shadow/name/${shadow}/${suffix}`;
}

// ── building blocks ────────────────────────────────────────────────────────────────────────────

const ipv4 = z.ipv4();
const ipv6 = z.ipv6();
const cidrv4 = z.cidrv4();
const cidrv6 = z.cidrv6();

export function isIpOrCidr(value: string): boolean {
  return [ipv4, ipv6, cidrv4, cidrv6].some((schema) => schema.safeParse(value).success);
}

const Int = z.number().check(z.int());
const intIn = (min: number, max?: number) =>
  z.number().check(z.int(), z.gte(min), ...(max === undefined ? [] : [z.lte(max)]));
const IpOrCidr = z.string().check(z.refine(isIpOrCidr, { message: "must be an IPv4/IPv6 address or CIDR" }));
const IpAddress = z.string().check(
  z.refine((v) => ipv4.safeParse(v).success || ipv6.safeParse(v).success, {
    message: "must be an IPv4/IPv6 address",
  }),
);
const Port = intIn(1, 65535);
const IsoDateTime = z.iso.datetime({ offset: true });

/** "22" or "8000-8100", each 1-65535, a range ascending. */
const PortSpec = z.string().check(
  z.regex(/^\d{1,5}(-\d{1,5})?$/, { message: 'must be a port ("22") or a range ("8000-8100")' }),
  z.refine(
    (v) => {
      const [low = 0, high = low] = v.split("-").map(Number);
      return low >= 1 && high <= 65535 && low <= high;
    },
    { message: "ports must be 1-65535 and a range must ascend" },
  ),
);

/** Linux interface names are at most 15 characters; a trailing `*` matches a prefix in nftables. */
const InterfaceName = z
  .string()
  .check(z.regex(/^[A-Za-z0-9_.:@-]{1,15}\*?$/, { message: "must be a network interface name" }));

/** Goes into `log prefix "…"`: printable, no quotes or backslashes, short enough for the kernel. */
const LogPrefix = z.string().check(
  z.regex(/^[\x20-\x21\x23-\x5b\x5d-\x7e]{1,64}$/, {
    message: "must be 1-64 printable characters without quotes or backslashes",
  }),
);

// ── shadow `firewall` ──────────────────────────────────────────────────────────────────────────

export const FirewallRuleSchema = z.object({
  id: intIn(0),
  name: z.string().check(z.maxLength(128)),
  chain: z.enum(["INPUT", "OUTPUT", "FORWARD"]),
  protocol: z.enum(["TCP", "UDP", "ICMP", "ALL"]),
  /** Ignored for ICMP. */
  port: z.optional(PortSpec),
  /** "0.0.0.0/0" and "::/0" mean any source. */
  source: z.optional(IpOrCidr),
  destination: z.optional(IpOrCidr),
  interface: z.optional(InterfaceName),
  action: z.enum(["ACCEPT", "DROP", "REJECT"]),
  /** Lower runs first. */
  priority: Int,
  enabled: z.boolean(),
  log: z.optional(z.boolean()),
  log_prefix: z.optional(LogPrefix),
});
export type FirewallRule = z.infer<typeof FirewallRuleSchema>;

/**
 * A whitelist or blacklist entry. `expires` becomes the nft set element's timeout, so the kernel
 * drops the entry on time even if no new document arrives; an entry already expired is not rendered.
 */
export const AddressListEntrySchema = z.object({ ip: IpOrCidr, expires: z.optional(IsoDateTime) });
export type AddressListEntry = z.infer<typeof AddressListEntrySchema>;

/**
 * Whitelist entries. Clouds before edge 0.2.0 wrote plain address strings; those still parse (as
 * entries without expiry) so a newer edge never refuses an older cloud's document.
 */
const WhitelistEntry = z.pipe(
  z.union([IpOrCidr, AddressListEntrySchema]),
  z.transform((v): AddressListEntry => (typeof v === "string" ? { ip: v } : v)),
);

export const FirewallDesiredSchema = z.object({
  config_version: intIn(0),
  enabled: z.boolean(),
  /** Applies to the input and forward chains; output always accepts so the gateway keeps its cloud link. */
  default_policy: z.enum(["ACCEPT", "DROP"]),
  rules: z.array(FirewallRuleSchema).check(z.maxLength(500)),
  whitelist: z.array(WhitelistEntry),
  blacklist: z.array(AddressListEntrySchema),
  blocked_ports: z.array(z.object({ port: Port, protocol: z.enum(["TCP", "UDP"]) })),
  rate_limiting: z.optional(
    z.object({
      enabled: z.boolean(),
      requests_per_second: intIn(1),
      burst_size: intIn(0),
    }),
  ),
  syn_flood_protection: z.optional(z.boolean()),
  /** New TCP connections per second before SYNs are dropped; default 25. */
  syn_flood_rate: z.optional(intIn(1)),
  port_scan_detection: z.optional(z.boolean()),
  /** Distinct ports one source may open new connections to per minute before it counts as a scan; default 10. */
  port_scan_threshold: z.optional(intIn(1, 10000)),
  /** Per-source cap on concurrent connections (`ct count`), so one source cannot exhaust conntrack. */
  dos_protection: z.optional(z.boolean()),
  /** Accept the VPN server's UDP port (`vpn_port`) ahead of the user rules. */
  vpn_enabled: z.optional(z.boolean()),
  vpn_port: z.optional(Port),
  /** A syslog level name for the `log` statements (emerg … debug); others fall back to `warn`. */
  log_level: z.optional(z.string().check(z.maxLength(16))),
});
export type FirewallDesired = z.infer<typeof FirewallDesiredSchema>;

// ── shadow `ssh` ───────────────────────────────────────────────────────────────────────────────

const Username = z.string().check(z.regex(/^[a-z_][a-z0-9_.-]{0,31}$/i, { message: "must be a POSIX user name" }));

/** One OpenSSH public key line: type, base64 blob, optional comment. No options prefix, no newline. */
const PublicKeyLine = z
  .string()
  .check(
    z.maxLength(16384),
    z.regex(
      /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp256|ecdsa-sha2-nistp384|ecdsa-sha2-nistp521|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com) [A-Za-z0-9+/]+={0,3}( [^\r\n]*)?$/,
      { message: "must be one OpenSSH public key line (type, base64 key, optional comment)" },
    ),
  );

export const SshDesiredSchema = z.object({
  config_version: intIn(0),
  enabled: z.boolean(),
  port: Port,
  listen_address: IpAddress,
  login_method: z.enum(["key", "password", "both"]),
  password_authentication: z.boolean(),
  permit_root_login: z.boolean(),
  max_auth_attempts: intIn(1, 100),
  max_sessions: intIn(1, 1000),
  /** 0 disables the idle timeout. */
  session_timeout_minutes: intIn(0, 10080),
  banner_enabled: z.boolean(),
  banner_message: z.string().check(z.maxLength(4096)),
  allow_users: z.optional(z.array(Username)),
  authorized_keys: z.array(
    z.object({
      username: Username,
      key: PublicKeyLine,
      /** As `ssh-keygen -l` prints it: "SHA256:…" (or "MD5:…"); the edge checks it against the key. */
      fingerprint: z.string().check(z.minLength(1), z.maxLength(128)),
    }),
  ),
  allowed_commands: z.optional(z.array(z.string().check(z.maxLength(256)))),
  require_tty: z.optional(z.boolean()),
  compression: z.optional(z.boolean()),
  terminate_sessions: z.optional(
    z.array(z.object({ session_id: z.string().check(z.minLength(1), z.maxLength(128)), requested_at: z.string() })),
  ),
});
export type SshDesired = z.infer<typeof SshDesiredSchema>;

export const DESIRED_SCHEMAS = { firewall: FirewallDesiredSchema, ssh: SshDesiredSchema } as const;

// ── reported (both shadows) ────────────────────────────────────────────────────────────────────

/**
 * The edge keeps its report within this many bytes (UTF-8 JSON without whitespace), so the cloud can
 * budget the rest of the 8 KB shadow for desired: error texts and lists are cut to fit.
 */
export const REPORTED_STATE_MAX_BYTES = 1024;
export const REPORTED_LIMITS = { errorChars: 400, validationChars: 120, terminatedSessions: 8 } as const;

/**
 * What the edge writes to `reported`. A shadow drops keys written as null, so a reader sees the
 * nullable fields as absent: they are nullish here.
 */
export const ReportedStateSchema = z.object({
  /** The version currently applied on the gateway (0: nothing applied yet). */
  config_version: intIn(0),
  status: z.enum(["applied", "failed"]),
  /** The validator's (or applier's) error text when status is "failed". */
  error: z.nullish(z.string()),
  /** The desired version that could not be applied; config_version stays at the last good one. */
  failed_version: z.nullish(Int),
  /** When config_version was applied (absent while nothing was ever applied). */
  applied_at: z.nullish(z.string()),
  /** When this report was made. */
  updated_at: z.string(),
  /** Which check vouched for the artefact ("nft -c", "sshd -t", or "skipped: <reason>"). */
  validation: z.nullish(z.string()),
  /** ssh only: sessions ended because `terminate_sessions` asked for it (most recent last). */
  terminated_sessions: z.nullish(z.array(z.string())),
  edge_version: z.optional(z.string()),
});
export type ReportedState = z.infer<typeof ReportedStateSchema>;

// ── events on warden/<tenant>/<thing>/events ───────────────────────────────────────────────────

export const FirewallLogLineSchema = z.object({
  timestamp: z.string(),
  action: z.enum(["ACCEPT", "DROP", "REJECT", "LOG"]),
  protocol: z.string(),
  source_ip: z.string(),
  source_port: z.nullable(Int),
  destination_ip: z.string(),
  destination_port: z.nullable(Int),
  /** IN= (the receiving interface; empty for locally generated packets). */
  interface: z.nullable(z.string()),
  out_interface: z.nullable(z.string()),
  rule_id: z.nullable(Int),
  rule_name: z.nullable(z.string()),
  prefix: z.string(),
  bytes: z.nullable(Int),
  reason: z.nullable(z.string()),
});
export type FirewallLogLine = z.infer<typeof FirewallLogLineSchema>;

export const FirewallLogEventSchema = z.object({
  type: z.literal("firewall_log"),
  timestamp: z.string(),
  lines: z.array(FirewallLogLineSchema).check(z.minLength(1)),
});

export const SshSessionEventSchema = z.object({
  type: z.literal("ssh_session"),
  timestamp: z.string(),
  event: z.enum(["started", "ended"]),
  session_id: z.string(),
  username: z.string(),
  client_ip: z.string(),
  client_port: z.optional(Int),
  started: z.string(),
  ended: z.optional(z.string()),
  tty: z.optional(z.string()),
  process_id: z.optional(Int),
  auth_method: z.optional(z.string()),
  termination_reason: z.optional(z.string()),
});
export type SshSessionEvent = z.infer<typeof SshSessionEventSchema>;

export const SSH_AUTH_FAILURE_REASONS = [
  "failed_password",
  /** A method other than password failed (publickey, keyboard-interactive…). */
  "failed_auth",
  "invalid_user",
  "preauth_disconnect",
  "max_auth_attempts",
] as const;
export type SshAuthFailureReason = (typeof SSH_AUTH_FAILURE_REASONS)[number];

export const SshAuthFailureSchema = z.object({
  /** When sshd logged the attempt. */
  timestamp: z.string(),
  username: z.string().check(z.maxLength(256)),
  client_ip: z.string().check(z.maxLength(64)),
  client_port: z.optional(Int),
  reason: z.enum(SSH_AUTH_FAILURE_REASONS),
});
export type SshAuthFailure = z.infer<typeof SshAuthFailureSchema>;

/** Failed SSH logins, batched like firewall log lines (one attempt per entry). */
export const SshAuthFailureEventSchema = z.object({
  type: z.literal("ssh_auth_failure"),
  timestamp: z.string(),
  failures: z.array(SshAuthFailureSchema).check(z.minLength(1), z.maxLength(500)),
});
export type SshAuthFailureEvent = z.infer<typeof SshAuthFailureEventSchema>;

export const MetricsEventSchema = z.object({
  type: z.literal("metrics"),
  timestamp: z.string(),
  cpu: z.object({
    cores: Int,
    usage_percent: z.number(),
    load_avg_1m: z.number(),
    load_avg_5m: z.number(),
    load_avg_15m: z.number(),
  }),
  memory: z.object({
    total_bytes: z.number(),
    free_bytes: z.number(),
    used_bytes: z.number(),
    usage_percent: z.number(),
  }),
  uptime_seconds: z.number(),
});
export type MetricsEvent = z.infer<typeof MetricsEventSchema>;

export const EdgeEventSchema = z.discriminatedUnion("type", [
  FirewallLogEventSchema,
  SshSessionEventSchema,
  SshAuthFailureEventSchema,
  MetricsEventSchema,
]);
export type EdgeEvent = z.infer<typeof EdgeEventSchema>;

/** One line per issue, "path: message", for `reported.error` and for logs. */
export function describeIssues(error: z.core.$ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join(".") : "(root)"}: ${issue.message}`)
    .join("; ");
}
