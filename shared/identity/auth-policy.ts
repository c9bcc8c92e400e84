/**
 * A tenant's authentication policy (gateway spec "Get Authentication Settings"). A new tenant
 * starts with the spec example's settings; the stored item holds only what the tenant changed
 * on top of these defaults, so new policy fields reach existing tenants with their default.
 */
import * as z from "zod/mini";
import { getAuthPolicyItem, getSignInSettingsItems, saveAuthPolicyOverrides } from "#shared/identity/db/auth-policy.ts";
import { listUsers, type User } from "#shared/identity/db/users.ts";
import { Invalid } from "#shared/kit/errors.ts";
import type { Item } from "#shared/table/repo.ts";
import { notifyAll } from "#shared/tenancy/notifier.ts";
import { knownRoleIds } from "./roles.ts";
import { effectiveTtl } from "./token-settings.ts";

const TWO_FACTOR_METHODS = ["app", "sms", "email"] as const;

export const AuthPolicy = z.object({
  password_policy: z.object({
    min_length: z.number(),
    max_length: z.number(),
    expiry_days: z.number(),
    history_size: z.number(),
    require_special_chars: z.boolean(),
    require_numbers: z.boolean(),
    require_uppercase: z.boolean(),
    require_lowercase: z.boolean(),
    prevent_reuse: z.boolean(),
    prevent_common: z.boolean(),
    prevent_sequential: z.boolean(),
    prevent_username: z.boolean(),
  }),
  account_protection: z.object({
    lockout_attempts: z.number(),
    lockout_duration: z.number(),
    lockout_window: z.number(),
    captcha_enabled: z.boolean(),
    captcha_threshold: z.number(),
    ip_blacklist_enabled: z.boolean(),
    ip_blacklist_threshold: z.number(),
  }),
  session_settings: z.object({
    timeout_minutes: z.number(),
    max_concurrent_sessions: z.number(),
    session_renewal: z.boolean(),
    idle_timeout: z.number(),
    remember_me_days: z.number(),
    secure_cookies: z.boolean(),
    http_only_cookies: z.boolean(),
  }),
  two_factor: z.object({
    mode: z.enum(["disabled", "optional", "required"]),
    enforced_for_roles: z.array(z.string()),
    methods: z.array(z.enum(TWO_FACTOR_METHODS)),
    default_method: z.enum(TWO_FACTOR_METHODS),
    backup_codes_count: z.number(),
    recovery_enabled: z.boolean(),
  }),
  brute_force_protection: z.object({
    enabled: z.boolean(),
    max_attempts_per_ip: z.number(),
    window_minutes: z.number(),
    block_duration: z.number(),
  }),
});
export type AuthPolicy = z.infer<typeof AuthPolicy>;
export type PasswordPolicy = AuthPolicy["password_policy"];

export const DEFAULT_AUTH_POLICY: AuthPolicy = {
  password_policy: {
    min_length: 8,
    max_length: 64,
    expiry_days: 90,
    history_size: 5,
    require_special_chars: true,
    require_numbers: true,
    require_uppercase: true,
    require_lowercase: true,
    prevent_reuse: true,
    prevent_common: true,
    prevent_sequential: true,
    prevent_username: true,
  },
  account_protection: {
    lockout_attempts: 5,
    lockout_duration: 15,
    lockout_window: 15,
    captcha_enabled: true,
    captcha_threshold: 3,
    ip_blacklist_enabled: true,
    ip_blacklist_threshold: 10,
  },
  session_settings: {
    timeout_minutes: 15,
    max_concurrent_sessions: 3,
    session_renewal: true,
    idle_timeout: 30,
    remember_me_days: 30,
    secure_cookies: true,
    http_only_cookies: true,
  },
  two_factor: {
    mode: "optional",
    enforced_for_roles: ["admin"],
    methods: ["app", "sms", "email"],
    default_method: "app",
    backup_codes_count: 10,
    recovery_enabled: true,
  },
  brute_force_protection: { enabled: true, max_attempts_per_ip: 50, window_minutes: 60, block_duration: 1440 },
};

/** How many previous passwords are remembered at most (CIS asks for 24). */
export const MAX_HISTORY = 24;

const int = (min: number, max: number) => z.optional(z.number().check(z.int(), z.gte(min), z.lte(max)));
const bool = () => z.optional(z.boolean());

/**
 * A partial update of the policy: any section, any subset of its fields; unknown sections and
 * fields are refused. Ranges keep a tenant from locking itself out or switching protection off
 * by accident (a lockout after 0 attempts, a 1-character password).
 */
export const AuthPolicyPatch = z.strictObject({
  password_policy: z.optional(
    z.strictObject({
      min_length: int(6, 128),
      max_length: int(8, 256),
      expiry_days: int(0, 3650),
      history_size: int(0, MAX_HISTORY),
      require_special_chars: bool(),
      require_numbers: bool(),
      require_uppercase: bool(),
      require_lowercase: bool(),
      prevent_reuse: bool(),
      prevent_common: bool(),
      prevent_sequential: bool(),
      prevent_username: bool(),
    }),
  ),
  account_protection: z.optional(
    z.strictObject({
      lockout_attempts: int(1, 100),
      lockout_duration: int(1, 10_080),
      lockout_window: int(1, 1440),
      captcha_enabled: bool(),
      captcha_threshold: int(1, 100),
      ip_blacklist_enabled: bool(),
      ip_blacklist_threshold: int(2, 1000),
    }),
  ),
  session_settings: z.optional(
    z.strictObject({
      timeout_minutes: int(1, 1440),
      max_concurrent_sessions: int(1, 50),
      session_renewal: bool(),
      idle_timeout: int(1, 1440),
      remember_me_days: int(0, 365),
      secure_cookies: bool(),
      http_only_cookies: bool(),
    }),
  ),
  two_factor: z.optional(
    z.strictObject({
      mode: z.optional(z.enum(["disabled", "optional", "required"])),
      enforced_for_roles: z.optional(z.array(z.string().check(z.minLength(1), z.maxLength(64))).check(z.maxLength(50))),
      methods: z.optional(z.array(z.enum(TWO_FACTOR_METHODS)).check(z.minLength(1), z.maxLength(3))),
      default_method: z.optional(z.enum(TWO_FACTOR_METHODS)),
      backup_codes_count: int(0, 20),
      recovery_enabled: bool(),
    }),
  ),
  brute_force_protection: z.optional(
    z.strictObject({
      enabled: bool(),
      max_attempts_per_ip: int(1, 10_000),
      window_minutes: int(1, 1440),
      block_duration: int(1, 43_200),
    }),
  ),
});
export type AuthPolicyPatch = z.infer<typeof AuthPolicyPatch>;
type Section = keyof AuthPolicy;

/**
 * Password-policy presets (POST /authentication/profile).
 * - nist: SP 800-63B rev. 4 for passwords used as a single factor: at least 15 characters, long
 *   passphrases allowed, no composition rules, no periodic expiry, a blocklist of common and
 *   context-specific values (the username) — and no history rule, which 800-63B does not ask for.
 * - cis: CIS Controls / benchmarks: 14+ characters with all four character classes, 24 remembered
 *   passwords, expiry after 90 days.
 * - default: the product defaults (the spec's example settings).
 */
export const PASSWORD_PROFILES = {
  nist: {
    min_length: 15,
    max_length: 128,
    expiry_days: 0,
    history_size: 0,
    require_special_chars: false,
    require_numbers: false,
    require_uppercase: false,
    require_lowercase: false,
    prevent_reuse: false,
    prevent_common: true,
    prevent_sequential: true,
    prevent_username: true,
  },
  cis: {
    min_length: 14,
    max_length: 128,
    expiry_days: 90,
    history_size: 24,
    require_special_chars: true,
    require_numbers: true,
    require_uppercase: true,
    require_lowercase: true,
    prevent_reuse: true,
    prevent_common: true,
    prevent_sequential: true,
    prevent_username: true,
  },
  default: DEFAULT_AUTH_POLICY.password_policy,
} as const satisfies Record<string, PasswordPolicy>;
export type PasswordProfile = keyof typeof PASSWORD_PROFILES;

const Overrides = z.record(z.string(), z.record(z.string(), z.unknown()));
type Overrides = z.infer<typeof Overrides>;

function storedOverrides(item: Item | undefined): Overrides {
  const parsed = z.safeParse(Overrides, item?.policy ?? {});
  return parsed.success ? parsed.data : {};
}

function merge(overrides: Overrides): AuthPolicy {
  const merged = Object.fromEntries(
    Object.entries(DEFAULT_AUTH_POLICY).map(([section, defaults]) => [
      section,
      { ...defaults, ...(overrides[section] ?? {}) },
    ]),
  );
  return AuthPolicy.parse(merged);
}

/** Defaults overlaid with the stored overrides, section by section. */
export function resolveAuthPolicy(item: Item | undefined): AuthPolicy {
  return merge(storedOverrides(item));
}

export async function getAuthPolicy(tenantId: string, consistent = false): Promise<AuthPolicy> {
  return resolveAuthPolicy(await getAuthPolicyItem(tenantId, consistent));
}

/**
 * The tenant's auth policy and access-token lifetime, as a sign-in needs them: one BatchGetItem
 * (consistent) for both settings documents.
 */
export async function signInSettings(tenantId: string): Promise<{ policy: AuthPolicy; ttlSeconds: number }> {
  const { policyItem, tokens } = await getSignInSettingsItems(tenantId);
  return { policy: resolveAuthPolicy(policyItem), ttlSeconds: effectiveTtl(tokens) };
}

/** True when this user must pass a second factor (or enrol one) to sign in. */
export function twoFactorRequired(user: Pick<User, "role" | "twoFactorEnabled">, policy: AuthPolicy): boolean {
  const tf = policy.two_factor;
  if (user.twoFactorEnabled || tf.mode === "required") return true;
  return tf.mode !== "disabled" && tf.enforced_for_roles.includes(user.role);
}

/** True when the policy's expiry has passed since the password was last set (0 days: never expires). */
export function passwordExpired(user: Pick<User, "passwordChangedAt">, policy: AuthPolicy, now = Date.now()): boolean {
  const days = policy.password_policy.expiry_days;
  return days > 0 && new Date(user.passwordChangedAt).getTime() + days * 86_400_000 <= now;
}

export type PolicyChanges = Record<string, { old: unknown; new: unknown }>;

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The policy a patch would produce, checked for consistency; nothing is saved. */
function applyPolicyPatch(overrides: Overrides, patch: AuthPolicyPatch, knownRoles: ReadonlySet<string>) {
  const before = merge(overrides);
  const next: Overrides = { ...overrides };
  const changes: PolicyChanges = {};
  for (const [section, fields] of Object.entries(patch) as [Section, Record<string, unknown> | undefined][]) {
    if (!fields) continue;
    const current = before[section] as Record<string, unknown>;
    const sectionOverrides = { ...(next[section] ?? {}) };
    for (const [field, value] of Object.entries(fields)) {
      if (value === undefined) continue;
      const wanted = Array.isArray(value) ? [...new Set(value)] : value;
      if (!same(current[field], wanted)) changes[`${section}.${field}`] = { old: current[field], new: wanted };
      sectionOverrides[field] = wanted;
    }
    next[section] = sectionOverrides;
  }
  const after = merge(next);
  assertConsistent(after, patch, knownRoles);
  return { before, after, next, changes };
}

/**
 * Runs every check `updateAuthSettings` would, against the stored policy, without saving: for a
 * request that must validate several settings areas before writing any of them (save-all).
 */
export async function checkAuthSettings(tenantId: string, patch: AuthPolicyPatch): Promise<void> {
  const item = await getAuthPolicyItem(tenantId, true);
  applyPolicyPatch(storedOverrides(item), patch, await knownRoleIds(tenantId));
}

/**
 * Applies a partial update to the stored policy (optimistic locking: a concurrent update is a
 * 409) and answers the old and new policy with the changed fields keyed "section.field".
 * `knownRoles` validates `two_factor.enforced_for_roles`.
 */
export async function savePolicyPatch(
  tenantId: string,
  patch: AuthPolicyPatch,
  knownRoles: ReadonlySet<string>,
): Promise<{ before: AuthPolicy; after: AuthPolicy; changes: PolicyChanges }> {
  const item = await getAuthPolicyItem(tenantId, true);
  const { before, after, next, changes } = applyPolicyPatch(storedOverrides(item), patch, knownRoles);
  if (Object.keys(changes).length > 0) await saveAuthPolicyOverrides(tenantId, item, next);
  return { before, after, changes };
}

function assertConsistent(p: AuthPolicy, patch: AuthPolicyPatch, knownRoles: ReadonlySet<string>): void {
  const fail = (loc: string[], msg: string): never => {
    throw new Invalid(`${["body", ...loc].join(".")}: ${msg}`, [{ loc: ["body", ...loc], msg, type: "value_error" }]);
  };
  const pw = p.password_policy;
  if (pw.min_length > pw.max_length) {
    const field = patch.password_policy?.max_length !== undefined ? "max_length" : "min_length";
    fail(["password_policy", field], `min_length (${pw.min_length}) must not exceed max_length (${pw.max_length})`);
  }
  const tf = p.two_factor;
  if (!tf.methods.includes(tf.default_method)) {
    const field = patch.two_factor?.default_method !== undefined ? "default_method" : "methods";
    fail(
      ["two_factor", field],
      `default_method '${tf.default_method}' must be one of methods [${tf.methods.join(", ")}]`,
    );
  }
  tf.enforced_for_roles.forEach((role, i) => {
    if (!knownRoles.has(role)) fail(["two_factor", "enforced_for_roles", String(i)], `unknown role '${role}'`);
  });
}

export interface SettingsUpdate {
  changes: PolicyChanges;
  affectedUsers: number;
  notificationsSent: boolean;
  policy: AuthPolicy;
}

/**
 * Applies a settings update and tells the users who must act on it.
 *
 * `affected_users` counts the users (not deactivated) who must do something because of this
 * change: with a `two_factor` change, those the new policy requires to use 2FA who have no factor
 * enrolled (they will be sent to enrolment at their next sign-in); with a new `expiry_days`, those
 * whose password is older than it (they must change it at their next sign-in). A user counts
 * once. Other changes (a longer minimum length, new composition rules) apply when a password is
 * next set: whether a current password meets them cannot be known, so they affect nobody now.
 * Each affected user is notified; `notifications_sent` says whether any notification went out.
 */
export async function updateAuthSettings(tenantId: string, patch: AuthPolicyPatch): Promise<SettingsUpdate> {
  const { after, changes } = await savePolicyPatch(tenantId, patch, await knownRoleIds(tenantId));
  const touched = (section: Section) => Object.keys(changes).some((k) => k.startsWith(`${section}.`));
  const expiryChanged = "password_policy.expiry_days" in changes && after.password_policy.expiry_days > 0;
  if (!touched("two_factor") && !expiryChanged) {
    return { changes, affectedUsers: 0, notificationsSent: false, policy: after };
  }
  const now = Date.now();
  const affected = (await listUsers(tenantId))
    .filter((u) => u.status !== "inactive")
    .map((u) => ({
      user: u,
      enrol: touched("two_factor") && twoFactorRequired(u, after) && !u.twoFactorMethod,
      expired: expiryChanged && passwordExpired(u, after, now),
    }))
    .filter((a) => a.enrol || a.expired);
  const sent = await notifyAll(
    affected.map(({ user, enrol, expired }) => ({
      tenantId,
      channel: "email" as const,
      to: user.email,
      subject: "Action required on your Warden account",
      body: [
        "Your organization changed its sign-in policy.",
        enrol ? "Set up two-factor authentication at your next sign-in." : "",
        expired ? "Your password has expired under the new policy: choose a new one at your next sign-in." : "",
      ]
        .filter(Boolean)
        .join(" "),
      kind: "policy_change",
    })),
  );
  return { changes, affectedUsers: affected.length, notificationsSent: sent > 0, policy: after };
}
