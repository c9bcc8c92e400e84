/**
 * Identity's request schemas: what every identity route validates its path, query and body with
 * (strict objects: an unknown field is refused, never silently applied). Shared fields come first,
 * so a field means the same on every route and every surface.
 */
import * as z from "zod/mini";
import { config } from "#shared/kit/config.ts";
import { freeText } from "#shared/kit/text.ts";
import { ipRestrictionProblem } from "./api-key-auth.ts";
import { KEY_STATUSES } from "./api-keys.ts";
import { AuthPolicyPatch } from "./auth-policy.ts";
import { MIN_TOKEN_TTL_SECONDS } from "./token-settings.ts";

// --- Shared fields

export const username = z
  .string()
  .check(
    z.trim(),
    z.minLength(3),
    z.maxLength(64),
    z.regex(
      /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
      "may contain letters, digits, '.', '_' and '-' and must start with a letter or digit",
    ),
  );
export const email = z.email().check(z.maxLength(254));
/** Length is checked by the tenant's policy; this only bounds the work scrypt is asked to do. */
export const password = z.string().check(z.minLength(1), z.maxLength(1024));
/** Username or email, as every login route accepts either. */
export const loginName = z.string().check(z.trim(), z.minLength(1), z.maxLength(254));
export const fullName = freeText({ max: 128 });
const roleName = z.string().check(z.minLength(1), z.maxLength(64));
const permissionList = z.array(z.string().check(z.maxLength(70))).check(z.maxLength(100));
const userId = z.number().check(z.int(), z.positive());
const reason = freeText({ max: 500 });

/** A scope is a permission: `resource:action`, `resource:*` or `*`. */
export const scopeField = z
  .string()
  .check(z.regex(/^(\*|[a-z][a-z0-9_-]*:(\*|[a-z][a-z0-9_-]*))$/, "must be a permission like 'alerts:read'"));

/** An `ip_restrictions` entry: an IPv4/IPv6 address or CIDR (checked with node:net). */
export const ipRestrictionField = z.string().check(
  z.superRefine((value, ctx) => {
    const problem = ipRestrictionProblem(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem, input: value });
  }),
);

// --- Sign-in and sign-up (cloudsentinel /api/v1/auth, securenet /api/auth)

export const signInBody = z.strictObject({ username: loginName, password });

export const twoFactorSignInBody = z.strictObject({
  challenge_token: z.string().check(z.minLength(1), z.maxLength(200)),
  /** A 6-digit code (app, email, SMS) or a backup code (XXXXX-XXXXX). */
  code: z.string().check(z.trim(), z.minLength(6), z.maxLength(20)),
});

export const signUpBody = z.strictObject({
  organization: freeText({ min: 2, max: 100 }),
  username,
  email,
  password,
});

export const registerBody = z.strictObject({
  email,
  username,
  password,
  full_name: z.optional(fullName),
  role: z.optional(roleName),
});

// --- Users (gateway /users)

export const listUsersQuery = z.strictObject({
  status: z.optional(z.enum(["active", "inactive", "locked"])),
  role: z.optional(roleName),
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(200)), 50),
});

export const userPath = z.strictObject({
  user_id: z.pipe(z.string().check(z.regex(/^[1-9]\d{0,9}$/, "must be a positive integer")), z.transform(Number)),
});

export const createUserBody = z.strictObject({
  username,
  full_name: z.optional(fullName),
  email,
  role: z.optional(roleName),
  /** Without one, a temporary password is generated and returned once. */
  password: z.optional(password),
  two_factor_enabled: z.optional(z.boolean()),
  permissions: z.optional(permissionList),
  send_welcome_email: z.optional(z.boolean()),
  force_password_change: z.optional(z.boolean()),
});

export const updateUserBody = z.strictObject({
  user_id: userId,
  full_name: z.optional(fullName),
  email: z.optional(email),
  role: z.optional(roleName),
  two_factor_enabled: z.optional(z.boolean()),
  permissions: z.optional(permissionList),
  /** Locking has its own route (/users/lock); setting "active" here also lifts a lock. */
  status: z.optional(z.enum(["active", "inactive"])),
  notes: z.optional(freeText({ max: 1000, multiline: true })),
  /** GRC enterprise ids the user is a member of (replaces the list); admins only. */
  enterprises: z.optional(z.array(z.uuid()).check(z.maxLength(100))),
});

export const deleteUserBody = z.strictObject({
  user_id: userId,
  /** Another user of the tenant who takes over what the deleted user owned. */
  transfer_data_to: z.optional(userId),
  archive_data: z.optional(z.boolean()),
  reason: z.optional(reason),
});

export const resetPasswordBody = z.strictObject({
  user_id: userId,
  /** Without one, a temporary password is generated and returned once. */
  new_password: z.optional(password),
  force_change: z.optional(z.boolean()),
  send_email: z.optional(z.boolean()),
});

export const lockUserBody = z.strictObject({
  user_id: userId,
  action: z.enum(["lock", "unlock"]),
  reason: z.optional(reason),
  /** Without it a lock lasts until the account is unlocked. */
  duration_minutes: z.optional(z.number().check(z.int(), z.gte(1), z.lte(525_600))),
});

export const changePasswordBody = z.strictObject({ current_password: password, new_password: password });

// --- Two-factor enrolment (gateway /users/2fa)

export const enrollTwoFactorBody = z.optional(
  z.strictObject({
    method: z.optional(z.enum(["app", "email", "sms"])),
    phone: z.optional(z.string().check(z.regex(/^\+[1-9]\d{6,14}$/, "must be an E.164 number such as +15551234567"))),
  }),
);

export const verifyTwoFactorBody = z.strictObject({
  code: z.string().check(z.trim(), z.regex(/^\d{6}$/, "must be the 6-digit code")),
});

export const disableTwoFactorBody = z.strictObject({
  code: z.optional(z.string().check(z.trim(), z.minLength(6), z.maxLength(20))),
  password: z.optional(password),
});

// --- Roles (gateway /roles)

export const createRoleBody = z.strictObject({
  name: z
    .string()
    .check(z.regex(/^[a-z][a-z0-9_-]{1,31}$/, "2–32 lowercase letters, digits, '_' or '-', starting with a letter")),
  description: z.optional(freeText({ max: 500 })),
  permissions: z.array(z.string().check(z.maxLength(70))).check(z.minLength(1), z.maxLength(100)),
});

// --- Authentication policy (gateway /authentication)

/** A partial policy update (POST /authentication/update, and the save-all route's `authentication` section). */
export { AuthPolicyPatch };

export const passwordProfileBody = z.strictObject({ profile: z.enum(["nist", "cis", "default"]) });

export const testPasswordBody = z.strictObject({
  password,
  /** Checked against the password (prevent_username); the caller's own username when absent. */
  username: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(64))),
  /** Previous passwords, for the reuse check. */
  old_passwords: z.optional(z.array(password).check(z.maxLength(24))),
});

// --- API keys (gateway /api-keys)

export const listApiKeysQuery = z.strictObject({
  status: z.optional(z.enum(KEY_STATUSES)),
  user_id: z.optional(z.coerce.number().check(z.int(), z.positive())),
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(1000)), 50),
});

export const generateApiKeyBody = z.strictObject({
  name: freeText({ min: 1, max: 100 }),
  description: z.optional(freeText({ max: 500 })),
  scope: z.array(scopeField).check(z.minLength(1), z.maxLength(50)),
  user_id: z.optional(z.int().check(z.positive())),
  expiry_days: z.optional(z.nullable(z.int().check(z.gte(1), z.lte(3650)))),
  rate_limit: z.optional(z.int().check(z.gte(1), z.lte(100_000))),
  ip_restrictions: z.optional(z.array(ipRestrictionField).check(z.maxLength(100))),
  notification_on_creation: z.optional(z.boolean()),
});

export const updateApiKeyBody = z.strictObject({
  key_id: z.int().check(z.positive()),
  name: z.optional(freeText({ min: 1, max: 100 })),
  description: z.optional(freeText({ max: 500 })),
  scope: z.optional(z.array(scopeField).check(z.minLength(1), z.maxLength(50))),
  /** Days from now; null removes the expiry. */
  expiry_days: z.optional(z.nullable(z.int().check(z.gte(1), z.lte(3650)))),
  rate_limit: z.optional(z.int().check(z.gte(1), z.lte(100_000))),
  ip_restrictions: z.optional(z.array(ipRestrictionField).check(z.maxLength(100))),
});

export const revokeApiKeyBody = z.strictObject({
  key_id: z.int().check(z.positive()),
  reason: z.optional(reason),
  notify_user: z.optional(z.boolean()),
});

/** POST /tokens/settings (beyond spec): a lifetime shorter than the platform's only; null returns to the platform's. */
export const tokenSettingsBody = z.strictObject({
  access_token_ttl_seconds: z.nullable(
    z.int().check(z.gte(MIN_TOKEN_TTL_SECONDS), z.lte(config.WARDEN_TOKEN_TTL_SECONDS)),
  ),
});
