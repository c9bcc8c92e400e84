/**
 * The contract between the Warden cloud and the edge handler on a gateway: what the cloud writes to
 * the `desired` section of the named shadows `firewall`, `ssh` and `certificates`, what the edge
 * writes back to `reported`, the events the edge publishes to `warden/<tenant>/<thing>/events`, and
 * the one-time private-key deliveries the cloud sends to `warden/<tenant>/<thing>/keys`.
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

export const SHADOW_NAMES = ["firewall", "ssh", "certificates"] as const;
export type ShadowName = (typeof SHADOW_NAMES)[number];
/**
 * The shadows the edge's reconcile loop applies as one versioned settings document each
 * (render → validate → swap → report). `certificates` is not (yet) among them: its installations
 * are individual (install ids, CSR requests, key deliveries) rather than one config.
 */
export const SETTINGS_SHADOWS = ["firewall", "ssh"] as const;
export type SettingsShadow = (typeof SETTINGS_SHADOWS)[number];

/** IoT Core refuses a shadow whose state is larger than this (UTF-8 JSON without whitespace). */
export const SHADOW_STATE_LIMIT_BYTES = 8192;

export function eventsTopic(tenant: string, thing: string): string {
  return `warden/${tenant}/${thing}/events`;
}

/**
 * Where the cloud answers a gateway's `key_request`: a topic only that gateway may subscribe to
 * (its IoT policy names its own thing), so a private key is never offered to another device.
 */
export function keysTopic(tenant: string, thing: string): string {
  return `warden/${tenant}/${thing}/keys`;
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

// ── shadow `certificates` ──────────────────────────────────────────────────────────────────────

/**
 * The certificate slots Warden manages on a gateway: the HTTPS server's and the MQTT broker's. Each
 * has its files and its service(s) to reload on the gateway (edge/config.ts).
 */
export const CERTIFICATE_SLOTS = ["https", "mqtt"] as const;
export type CertificateSlot = (typeof CERTIFICATE_SLOTS)[number];

/** Ids the cloud makes up (renewal ids, upload ids, delivery ids): they become file names on the gateway. */
const OpaqueId = z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, { message: "must be 1-64 of A-Z a-z 0-9 _ -" }));
/** SHA-256 of the certificate's DER (or of a public key's SPKI), lowercase hex. */
export const Sha256Hex = z.string().check(z.regex(/^[0-9a-f]{64}$/, { message: "must be 64 lowercase hex digits" }));
const PEM_CERT = /^(-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----\r?\n?)+$/;
/** One PEM certificate, or a chain of them (no other PEM blocks, no text around them). */
export const PemCertificates = z
  .string()
  .check(z.maxLength(16384), z.regex(PEM_CERT, { message: "must be PEM certificate block(s) only" }));
/** A DNS name as a certificate carries it (a leading `*.` for a wildcard). */
const DnsName = z.string().check(
  z.maxLength(253),
  z.regex(/^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i, {
    message: "must be a DNS name",
  }),
);
/** Where the gateway's web server serves `/.well-known/acme-challenge/` from: absolute, no `..`. */
export const WebrootPath = z.string().check(
  z.maxLength(256),
  z.regex(/^\/[A-Za-z0-9._/-]*$/, { message: "must be an absolute path of A-Z a-z 0-9 . _ - /" }),
  z.refine((p) => !p.split("/").includes(".."), { message: "must not contain '..'" }),
);
/** An ACME HTTP-01 token (RFC 8555 §8.3: base64url, at least 128 bits). */
const AcmeToken = z.string().check(z.regex(/^[A-Za-z0-9_-]{22,128}$/, { message: "must be a base64url ACME token" }));

/**
 * Where a slot's private key comes from. The key never travels in a shadow:
 * - `csr`: the gateway made it for `csr_requests[request_id]` (ACME renewal) and kept it;
 * - `delivery`: the cloud holds it for this gateway, encrypted, and hands it over once on the
 *   gateway's own keys topic (`key_request` event → `keysTopic`); `key_fingerprint` is the SHA-256
 *   of its public key (SPKI DER), which the edge checks against the certificate before installing.
 */
export const SlotKeySchema = z.discriminatedUnion("source", [
  z.object({ source: z.literal("csr"), request_id: OpaqueId }),
  z.object({ source: z.literal("delivery"), delivery_id: OpaqueId, key_fingerprint: Sha256Hex }),
]);
export type SlotKey = z.infer<typeof SlotKeySchema>;

export const SlotDesiredSchema = z.object({
  /** Names this installation (a renewal id, an upload id): the edge's acknowledgement carries it. */
  install_id: OpaqueId,
  /** SHA-256 of the leaf certificate's DER: what the edge must end up serving. */
  fingerprint: Sha256Hex,
  /**
   * The leaf certificate (PEM). Absent once the gateway reported it installed: the cloud drops it
   * from the document to keep the shadow small, and the edge only checks what it has.
   */
  certificate: z.optional(PemCertificates),
  /** Intermediate certificates, leaf's issuer first (PEM). */
  chain: z.optional(PemCertificates),
  key: SlotKeySchema,
});
export type SlotDesired = z.infer<typeof SlotDesiredSchema>;

export const CsrRequestSchema = z.object({
  request_id: OpaqueId,
  slot: z.enum(CERTIFICATE_SLOTS),
  common_name: DnsName,
  san_dns: z.array(DnsName).check(z.minLength(1), z.maxLength(20)),
  key_algorithm: z.enum(["EC", "RSA"]),
  /** EC: 256 or 384 (curve P-256 / P-384); RSA: 2048-4096 bits. */
  key_size: z.union([z.literal(256), z.literal(384), intIn(2048, 4096)]),
});
export type CsrRequest = z.infer<typeof CsrRequestSchema>;

export const AcmeChallengeSchema = z.object({
  request_id: OpaqueId,
  token: AcmeToken,
  /** `<token>.<account key thumbprint>`: the file's whole content. */
  key_authorization: z.string().check(
    z.maxLength(256),
    z.regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, {
      message: "must be <token>.<thumbprint>",
    }),
  ),
});
export type AcmeChallenge = z.infer<typeof AcmeChallengeSchema>;

export const CertificatesDesiredSchema = z.object({
  config_version: intIn(0),
  /** Where HTTP-01 challenge files go (`<webroot>/.well-known/acme-challenge/<token>`). */
  webroot_path: z.optional(WebrootPath),
  slots: z._default(z.object({ https: z.optional(SlotDesiredSchema), mqtt: z.optional(SlotDesiredSchema) }), {}),
  /** Make a key pair for the slot, keep the key, publish a CSR (`certificate_csr` event). */
  csr_requests: z.optional(z.array(CsrRequestSchema).check(z.maxLength(4))),
  /** Serve these HTTP-01 challenges from the webroot; files for tokens no longer listed are removed. */
  acme_challenges: z.optional(z.array(AcmeChallengeSchema).check(z.maxLength(20))),
});
export type CertificatesDesired = z.infer<typeof CertificatesDesiredSchema>;

export const DESIRED_SCHEMAS = {
  firewall: FirewallDesiredSchema,
  ssh: SshDesiredSchema,
  certificates: CertificatesDesiredSchema,
} as const;

// ── reported (both shadows) ────────────────────────────────────────────────────────────────────

/**
 * The edge keeps its report within this many bytes (UTF-8 JSON without whitespace), so the cloud can
 * budget the rest of the 8 KB shadow for desired: error texts and lists are cut to fit.
 */
export const REPORTED_STATE_MAX_BYTES = 1024;
export const REPORTED_LIMITS = { errorChars: 400, validationChars: 120, terminatedSessions: 8 } as const;
/** The posture fields' caps (listening ports, zero-hit rules, weak keys): they share the 1 KB report. */
export const POSTURE_LIMITS = { listening: 40, unusedRules: 32, weakKeys: 4, driftChars: 200 } as const;
const ListeningPort = z.string().check(z.regex(/^(tcp|udp):\d{1,5}$/, { message: "must be tcp:<port> or udp:<port>" }));

/** certificates only: what a slot serves now (reported). */
export const InstalledSlotSchema = z.object({
  fingerprint: Sha256Hex,
  /** The installation that put it there; null for a certificate Warden did not install. */
  install_id: z.nullish(OpaqueId),
  installed_at: z.nullish(z.string()),
});
export type InstalledSlot = z.infer<typeof InstalledSlotSchema>;

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
  /** certificates only: the certificate each slot serves. */
  installed: z.nullish(z.object({ https: z.nullish(InstalledSlotSchema), mqtt: z.nullish(InstalledSlotSchema) })),
  edge_version: z.optional(z.string()),
  /**
   * firewall only: `tcp:<port>` / `udp:<port>` of every socket listening on a non-loopback address
   * (from /proc/net/{tcp,tcp6,udp,udp6}), sorted, at most `POSTURE_LIMITS.listening`.
   */
  listening: z.nullish(z.array(ListeningPort).check(z.maxLength(POSTURE_LIMITS.listening))),
  /** firewall only: ids of Warden rules whose nft counter is still zero (`nft -j list table`). */
  unused_rules: z.nullish(z.array(Int).check(z.maxLength(POSTURE_LIMITS.unusedRules))),
  /** firewall only: when the counters were read. */
  counters_at: z.nullish(z.string()),
  /** The live file differs from what the edge applied (someone edited it on the gateway). */
  drift: z.nullish(z.string().check(z.maxLength(POSTURE_LIMITS.driftChars))),
  /** ssh only: weak keys in the live authorized_keys, `<TYPE>-<bits> <user>` (DSA, RSA < 2048). */
  weak_keys: z.nullish(z.array(z.string().check(z.maxLength(120))).check(z.maxLength(POSTURE_LIMITS.weakKeys))),
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
  /**
   * Traffic between this sample and the previous one, over every interface but loopback (absent
   * on the first sample and where /proc/net/dev cannot be read); `established_connections` is the
   * TCP connections open at sampling time.
   */
  network: z.optional(
    z.object({
      interval_seconds: z.number().check(z.positive()),
      rx_bytes: z.number().check(z.nonnegative()),
      tx_bytes: z.number().check(z.nonnegative()),
      rx_bytes_per_s: z.number().check(z.nonnegative()),
      tx_bytes_per_s: z.number().check(z.nonnegative()),
      established_connections: z.optional(Int.check(z.nonnegative())),
    }),
  ),
  /** Disk reads and writes per second between this sample and the previous one (whole disks). */
  disk: z.optional(
    z.object({
      read_bytes_per_s: z.number().check(z.nonnegative()),
      write_bytes_per_s: z.number().check(z.nonnegative()),
    }),
  ),
  /**
   * What the edge saw in the logs it follows between this sample and the previous one (absent on
   * the first sample after a start): failed SSH logins (one per attempt, as `ssh_auth_failure`
   * counts them) and packets the firewall dropped or rejected and logged. A count is absent when
   * the edge does not follow that log.
   */
  events: z.optional(
    z.object({
      interval_seconds: z.number().check(z.positive()),
      failed_logins: z.optional(Int.check(z.nonnegative())),
      firewall_drops: z.optional(Int.check(z.nonnegative())),
    }),
  ),
});
export type MetricsEvent = z.infer<typeof MetricsEventSchema>;

// ── certificate events ────────────────────────────────────────────────────────────────────────

/**
 * What the gateway serves, as PEM (public material only): at every connection and after each
 * installation. The cloud parses it for GET /certificates/status.
 */
export const CertificateInventoryEventSchema = z.object({
  type: z.literal("certificate_inventory"),
  timestamp: z.string(),
  certificates: z
    .array(
      z.object({
        slot: z.enum(CERTIFICATE_SLOTS),
        certificate: PemCertificates,
        chain: z.optional(PemCertificates),
        installed_at: z.optional(z.string()),
      }),
    )
    .check(z.maxLength(CERTIFICATE_SLOTS.length)),
  /** Client certificates the gateway trusts (its client-certificate directory), by file name. */
  client_certificates: z
    .array(z.object({ name: z.string().check(z.minLength(1), z.maxLength(128)), certificate: PemCertificates }))
    .check(z.maxLength(50)),
});
export type CertificateInventoryEvent = z.infer<typeof CertificateInventoryEventSchema>;

/** The CSR for `csr_requests[request_id]`; the key stays on the gateway. */
export const CertificateCsrEventSchema = z.object({
  type: z.literal("certificate_csr"),
  timestamp: z.string(),
  request_id: OpaqueId,
  slot: z.enum(CERTIFICATE_SLOTS),
  csr: z.string().check(
    z.maxLength(16384),
    z.regex(/^-----BEGIN CERTIFICATE REQUEST-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE REQUEST-----\r?\n?$/, {
      message: "must be one PEM certificate request",
    }),
  ),
});
export type CertificateCsrEvent = z.infer<typeof CertificateCsrEventSchema>;

/** The challenge files of `request_id` are in the webroot: the CA may look now. */
export const AcmeChallengeReadyEventSchema = z.object({
  type: z.literal("acme_challenge_ready"),
  timestamp: z.string(),
  request_id: OpaqueId,
  tokens: z.array(AcmeToken).check(z.minLength(1), z.maxLength(20)),
});
export type AcmeChallengeReadyEvent = z.infer<typeof AcmeChallengeReadyEventSchema>;

/** The outcome of installing `slots[slot]` (installed, or failed with the previous pair kept). */
export const CertificateInstalledEventSchema = z.object({
  type: z.literal("certificate_installed"),
  timestamp: z.string(),
  install_id: OpaqueId,
  slot: z.enum(CERTIFICATE_SLOTS),
  status: z.enum(["installed", "failed"]),
  fingerprint: z.optional(Sha256Hex),
  error: z.optional(z.string().check(z.maxLength(1000))),
  /** The services the edge reloaded for it (none in sandbox mode). */
  services_reloaded: z.array(z.string().check(z.maxLength(64))).check(z.maxLength(8)),
});
export type CertificateInstalledEvent = z.infer<typeof CertificateInstalledEventSchema>;

/**
 * Asks for the private key of a `delivery` slot. `public_key` is a one-time X25519 key of the
 * gateway (32 bytes, base64url): the cloud seals the key to it (KEY_DELIVERY below).
 */
export const KeyRequestEventSchema = z.object({
  type: z.literal("key_request"),
  timestamp: z.string(),
  delivery_id: OpaqueId,
  public_key: z.string().check(z.regex(/^[A-Za-z0-9_-]{43}$/, { message: "must be 32 bytes, base64url" })),
});
export type KeyRequestEvent = z.infer<typeof KeyRequestEventSchema>;

export const EdgeEventSchema = z.discriminatedUnion("type", [
  FirewallLogEventSchema,
  SshSessionEventSchema,
  SshAuthFailureEventSchema,
  MetricsEventSchema,
  CertificateInventoryEventSchema,
  CertificateCsrEventSchema,
  AcmeChallengeReadyEventSchema,
  CertificateInstalledEventSchema,
  KeyRequestEventSchema,
]);
export type EdgeEvent = z.infer<typeof EdgeEventSchema>;

// ── key deliveries on warden/<tenant>/<thing>/keys ─────────────────────────────────────────────

/**
 * How a private key is sealed to the gateway that asked for it: ephemeral-static X25519 between a
 * fresh cloud key and the gateway's one-time `public_key`, HKDF-SHA256 (salt: the delivery id,
 * info below) to a 256-bit key, AES-256-GCM with the additional data `<tenant>/<thing>/<delivery id>`.
 * Only the process holding the one-time private key can open it; the broker, the rules and the
 * logs in between see ciphertext.
 */
export const KEY_DELIVERY = { hkdfInfo: "warden-key-delivery-v1", cipher: "aes-256-gcm" } as const;

export const keyDeliveryAad = (tenant: string, thing: string, deliveryId: string): string =>
  `${tenant}/${thing}/${deliveryId}`;

const B64u = z.string().check(z.regex(/^[A-Za-z0-9_-]*$/, { message: "must be base64url" }), z.maxLength(65536));

export const KeyDeliveryMessageSchema = z.discriminatedUnion("status", [
  z.object({
    status: z.literal("sealed"),
    delivery_id: OpaqueId,
    /** The cloud's ephemeral X25519 public key (32 bytes). */
    ephemeral_public_key: B64u,
    iv: B64u,
    ciphertext: B64u,
    tag: B64u,
  }),
  /** Already fetched, expired, or not this gateway's: nothing to install; the edge reports it. */
  z.object({ status: z.literal("gone"), delivery_id: OpaqueId, error: z.string().check(z.maxLength(400)) }),
]);
export type KeyDeliveryMessage = z.infer<typeof KeyDeliveryMessageSchema>;

/** One line per issue, "path: message", for `reported.error` and for logs. */
export function describeIssues(error: z.core.$ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join(".") : "(root)"}: ${issue.message}`)
    .join("; ");
}
