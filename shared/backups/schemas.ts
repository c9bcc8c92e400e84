/**
 * Request schemas of the backup routes, and the schemas every record of a backup file is
 * validated with before a restore writes anything. The record schemas are built from the same
 * field schemas as the routes that make those records (fleet's CIDRs, ports and rule fields,
 * identity's e-mail, names, scopes and policy patch), so a restore accepts exactly what the
 * routes would.
 */
import * as z from "zod/mini";
import { schemas as net, text } from "#shared/fleet/net-validation.ts";
import { AddRuleBody, FirewallSettingsBody, SshSettingsBody, sshUsername } from "#shared/fleet/schemas.ts";
import {
  AuthPolicyPatch,
  createRoleBody,
  email,
  fullName,
  ipRestrictionField,
  scopeField,
  tokenSettingsBody,
} from "#shared/identity/schemas.ts";
import { freeText } from "#shared/kit/text.ts";

// ---------------------------------------------------------------------------------------------
// Requests

const flag = z.pipe(
  z.union([z.boolean(), z.enum(["true", "false", "1", "0", "yes", "no"])]),
  z.transform((v) => v === true || v === "true" || v === "1" || v === "yes"),
);

/** GET /backup. The password travels in the query as the spec has it; see the README on why a header is better. */
export const BackupQuery = z.strictObject({
  components: z.optional(z.string().check(z.maxLength(512))),
  encrypt: z._default(flag, true),
  password: z.optional(z.string().check(z.minLength(12), z.maxLength(1024))),
});

export const BackupIdPath = z.strictObject({
  id: z.string().check(z.regex(/^backup-\d{8}-[0-9a-f]{6}$/, "must be a backup id like backup-20250315-1a2b3c")),
});

/** The text parts of POST /restore (multipart; the backup is the `file` part). */
const BackupId = z
  .string()
  .check(z.regex(/^backup-\d{8}-[0-9a-f]{6}$/, { message: "must be a backup id (backup-YYYYMMDD-xxxxxx)" }));

export const RestoreFields = z.strictObject({
  password: z.optional(z.string().check(z.minLength(1), z.maxLength(1024))),
  components: z.optional(z.string().check(z.maxLength(512))),
  /** Beyond spec: restore a backup this tenant keeps in the store instead of uploading a file. */
  backup_id: z.optional(BackupId),
});

/** Beyond spec: POST /restore as JSON, restoring a stored backup of the tenant (no upload, no size limit). */
export const RestoreByIdBody = z.strictObject({
  backup_id: BackupId,
  password: z.optional(z.string().check(z.minLength(1), z.maxLength(1024))),
  components: z.optional(
    z.union([z.string().check(z.maxLength(512)), z.array(z.string().check(z.maxLength(40))).check(z.maxLength(20))]),
  ),
});

/** POST /reset. */
export const ResetBody = z.strictObject({
  confirm: z.literal(true, { error: "must be true: a reset replaces the security settings" }),
  preserve_users: z._default(z.boolean(), true),
  preserve_api_keys: z._default(z.boolean(), true),
  preserve_certificates: z._default(z.boolean(), true),
  backup_before_reset: z._default(z.boolean(), true),
  reason: z.optional(freeText({ max: 500 })),
});

// ---------------------------------------------------------------------------------------------
// Records inside a backup

const isoTime = z.iso.datetime({ offset: true });

export const UserRecord = z.strictObject({
  id: z.number().check(z.int(), z.positive()),
  username: z.string().check(z.minLength(1), z.maxLength(64)),
  email,
  full_name: fullName,
  role: z.string().check(z.minLength(1), z.maxLength(64)),
  permissions: z.array(z.string().check(z.maxLength(70))).check(z.maxLength(100)),
  status: z.enum(["active", "inactive", "locked"]),
  two_factor_enabled: z.boolean(),
  created_at: isoTime,
});
export type UserRecord = z.infer<typeof UserRecord>;

export const RoleRecord = z.strictObject({
  ...createRoleBody.shape,
  description: freeText({ max: 500 }),
});

export const ApiKeyRecordSchema = z.strictObject({
  id: z.number().check(z.int(), z.positive()),
  name: freeText({ min: 1, max: 100 }),
  description: freeText({ max: 500 }),
  key_prefix: z.string().check(z.regex(/^AK-\d{3,10}$/)),
  key_start: z.string().check(z.regex(/^sk_[0-9a-f]{5}$/)),
  hash: z.string().check(z.regex(/^[0-9a-f]{64}$/, "must be the key's 64-hex-digit hash")),
  scopes: z.array(scopeField).check(z.minLength(1), z.maxLength(50)),
  user_id: z.number().check(z.int(), z.positive()),
  created_at: isoTime,
  expires_at: z.nullable(isoTime),
  rate_limit: z.number().check(z.int(), z.gte(1), z.lte(100_000)),
  ip_restrictions: z.array(ipRestrictionField).check(z.maxLength(100)),
  status: z.enum(["active", "revoked"]),
  revoked_at: z.nullable(isoTime),
});

const { gateway_id: _rule, ...ruleFields } = AddRuleBody.shape;
const FirewallRuleRecord = z.strictObject({
  ...ruleFields,
  id: z.number().check(z.int(), z.positive()),
  description: text(256),
  source: net.cidr,
  destination: net.cidr,
  enabled: z.boolean(),
  priority: net.priority,
  log_matches: z.boolean(),
  created: isoTime,
  updated: z.optional(isoTime),
});

const AddressRecord = z.strictObject({
  address: net.cidr,
  description: text(256),
  expires: z.optional(isoTime),
  added: isoTime,
  added_by: z.string().check(z.maxLength(128)),
});

const FirewallScopeRecord = z.strictObject({
  rules: z.array(FirewallRuleRecord).check(z.maxLength(2000)),
  whitelist: z.array(AddressRecord).check(z.maxLength(5000)),
  blacklist: z.array(AddressRecord).check(z.maxLength(5000)),
  blocked_ports: z
    .array(
      z.strictObject({
        port: net.port,
        protocol: z.enum(["TCP", "UDP", "ALL"]),
        reason: text(256),
        added: isoTime,
      }),
    )
    .check(z.maxLength(1000)),
  settings: FirewallSettingsBody,
});

const gatewayMap = <S extends z.ZodMiniType>(scope: S) =>
  z.record(z.string().check(z.regex(/^[1-9]\d{0,9}$/, "must be a gateway id")), scope);

export const FirewallFile = z.strictObject({ tenant: FirewallScopeRecord, gateways: gatewayMap(FirewallScopeRecord) });
export type FirewallFile = z.infer<typeof FirewallFile>;

const SshKeyRecord = z.strictObject({
  username: sshUsername,
  fingerprint: z.string().check(z.regex(/^SHA256:[A-Za-z0-9+/]{43}$/, "must be an SSH SHA256 fingerprint")),
  algorithm: z.string().check(z.regex(/^[a-z0-9@.-]{3,64}$/)),
  blob: z.string().check(z.maxLength(16_384)),
  type: z.string().check(z.maxLength(16)),
  size: z.number().check(z.int(), z.positive()),
  comment: text(256),
  added: isoTime,
  added_by: z.string().check(z.maxLength(128)),
});

const SshScopeRecord = z.strictObject({
  settings: SshSettingsBody,
  keys: z.array(SshKeyRecord).check(z.maxLength(500)),
  /** Pending termination requests are not restored (the SSH sessions they named are gone). */
  terminate_sessions: z.array(z.unknown()),
});

export const SshFile = z.strictObject({ tenant: SshScopeRecord, gateways: gatewayMap(SshScopeRecord) });
export type SshFile = z.infer<typeof SshFile>;

export const AuthenticationFile = AuthPolicyPatch;

export const SettingsFile = z.strictObject({
  audit: z.strictObject({ retention_days: z.number().check(z.int(), z.gte(1), z.lte(3650)) }),
  tokens: tokenSettingsBody,
});

export const ManifestFile = z.strictObject({
  format: z.literal("warden-backup"),
  version: z.literal(1),
  backup_id: z.string().check(z.maxLength(64)),
  tenant_id: z.string().check(z.maxLength(128)),
  created: isoTime,
  created_by: z.string().check(z.maxLength(128)),
  components: z.array(z.string()).check(z.maxLength(20)),
  files: z.array(z.strictObject({ name: z.string(), size: z.number(), sha256: z.string() })).check(z.maxLength(10_000)),
});
