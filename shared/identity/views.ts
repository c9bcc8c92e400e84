/**
 * Identity as each surface shows it: domain objects (camelCase) in, the spec's wire shape out —
 * snake_case on the gateway surface, and the cloudsentinel and securenet specs' own shapes where
 * their examples differ. Beside each view, the zod schema of the answer it builds (`…Response`):
 * endpoints declare it, the OpenAPI document is generated from it, and the tests check every real
 * answer against it.
 */
import * as z from "zod/mini";
import { TOKEN_RESTRICTIONS } from "#shared/auth/tokens.ts";
import type { User } from "#shared/identity/db/users.ts";
import { responseSchema } from "#shared/kit/text.ts";
import type { GeneratedKey, KeyListing, ListedApiKey, PublicApiKey, RevokeResult, updateApiKey } from "./api-keys.ts";
import type { PasswordProfile, SettingsUpdate } from "./auth-policy.ts";
import type { PasswordAssessment } from "./password-strength.ts";
import type { changeOwnPassword } from "./passwords.ts";
import type { Principal } from "./principal.ts";
import type { Role, RoleListing } from "./roles.ts";
import type { SignedIn } from "./sign-in.ts";
import type { EffectiveTokenSettings, TOKEN_RATE_LIMIT } from "./token-settings.ts";
import type { EnrollResult } from "./two-factor.ts";
import type {
  addUser,
  deleteUser,
  lockUser,
  resetPassword,
  UserDetail,
  UserListing,
  UserSummary,
  updateUser,
} from "./users.ts";

const timestamp = /* @__PURE__ */ responseSchema(() => z.iso.datetime({ offset: true }));
const count = /* @__PURE__ */ responseSchema(() => z.number().check(z.int(), z.gte(0)));
const userId = /* @__PURE__ */ responseSchema(() => z.number().check(z.int(), z.positive()));
const role = /* @__PURE__ */ responseSchema(() =>
  z.string().check(z.describe("A built-in role (admin, engineer, operator, technician, viewer) or a custom one")),
);
const permissions = /* @__PURE__ */ responseSchema(() =>
  z.array(z.string()).check(z.describe("`resource:action` permissions; `*` is every permission")),
);
const restriction = /* @__PURE__ */ responseSchema(() =>
  z
    .enum(TOKEN_RESTRICTIONS)
    .check(z.describe("The token is good only for this step (and for reading one's own identity and signing out)")),
);
/** A change as `{old, new}`, or for lists `{added, removed}`. */
const ChangesSchema = /* @__PURE__ */ responseSchema(() =>
  z
    .record(
      z.string(),
      z.strictObject({
        old: z.optional(z.unknown()),
        new: z.optional(z.unknown()),
        added: z.optional(z.array(z.string())),
        removed: z.optional(z.array(z.string())),
      }),
    )
    .check(
      z.meta({ id: "IdentityChanges", description: "Each changed field: {old, new}, or {added, removed} for lists." }),
    ),
);

// --- Sign-in (every surface)

/** How every login route answers when a second factor is still needed: no token yet. */
export const twoFactorChallenge = (c: { challengeToken: string; methods: readonly string[]; expiresIn: number }) => ({
  two_factor_required: true,
  challenge_token: c.challengeToken,
  methods: c.methods,
  expires_in: c.expiresIn,
});

export const TwoFactorChallengeResponse = /* @__PURE__ */ responseSchema(() =>
  z
    .strictObject({
      two_factor_required: z.literal(true),
      challenge_token: z.string(),
      methods: z.array(z.string()),
      expires_in: count,
    })
    .check(
      z.meta({
        id: "TwoFactorChallenge",
        description: "The password was right and a second factor is due: send the code to POST /api/auth/login/2fa.",
      }),
    ),
);

// --- cloudsentinel-api.md

/** How cloudsentinel-api.md shows a user. */
export const cloudsentinelUser = (u: User) => ({
  id: u.id,
  email: u.email,
  username: u.username,
  full_name: u.fullName,
  role: u.role,
  is_active: u.status === "active",
  created_at: u.createdAt,
  last_login: u.lastLogin,
});

export const CloudsentinelUserResponse = /* @__PURE__ */ responseSchema(() =>
  z
    .strictObject({
      id: userId,
      email: z.string(),
      username: z.string(),
      full_name: z.string(),
      role,
      is_active: z.boolean(),
      created_at: timestamp,
      last_login: z.nullable(timestamp),
    })
    .check(z.meta({ id: "CloudsentinelUser" })),
);

/** POST /api/v1/auth/token after a completed sign-in. */
export const cloudsentinelToken = (s: SignedIn) => ({
  access_token: s.token.token,
  token_type: "bearer",
  expires_in: s.token.expiresIn,
  user_id: s.user.id,
  role: s.user.role,
  ...(s.restriction ? { restricted_to: s.restriction } : {}),
});

const CloudsentinelTokenSchema = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({
    access_token: z.string(),
    token_type: z.literal("bearer"),
    expires_in: count,
    user_id: userId,
    role,
    restricted_to: z.optional(restriction),
  }),
);

export const CloudsentinelTokenResponse = /* @__PURE__ */ responseSchema(() =>
  z.union([CloudsentinelTokenSchema, TwoFactorChallengeResponse]),
);

/** GET /api/v1/auth/validate: the caller behind a valid credential. */
export const cloudsentinelValidation = (p: Principal) => ({
  valid: true,
  user_id: p.user.id,
  email: p.user.email,
  role: p.user.role,
  expires_at: p.token ? new Date(p.token.exp * 1000).toISOString() : null,
});

export const CloudsentinelValidationResponse = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({
    valid: z.literal(true),
    user_id: userId,
    email: z.string(),
    role,
    expires_at: z.nullable(timestamp).check(z.describe("When the token expires; null for an API key")),
  }),
);

// --- securenet-api.md

/** How securenet-api.md shows a user. */
export const securenetUser = (u: User) => ({
  id: u.id,
  username: u.username,
  email: u.email,
  role: u.role,
  last_login: u.lastLogin,
});

export const SecurenetUserResponse = /* @__PURE__ */ responseSchema(() =>
  z
    .strictObject({
      id: userId,
      username: z.string(),
      email: z.string(),
      role,
      last_login: z.nullable(timestamp),
    })
    .check(z.meta({ id: "SecurenetUser" })),
);

/** POST /api/auth/login and /login/2fa after a completed sign-in. */
export const securenetSignIn = (s: SignedIn) => ({
  token: s.token.token,
  user: securenetUser(s.user),
  ...(s.restriction ? { restricted_to: s.restriction } : {}),
});

const SecurenetSignInSchema = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({
    token: z.string().check(z.describe("The access token: send it as `Authorization: Bearer <token>`")),
    user: SecurenetUserResponse,
    restricted_to: z.optional(restriction),
  }),
);
/** POST /api/auth/login/2fa. */
export const SecurenetSignInResponse = SecurenetSignInSchema;
/** POST /api/auth/login: signed in, or a second factor is due. */
export const SecurenetLoginResponse = /* @__PURE__ */ responseSchema(() =>
  z.union([SecurenetSignInSchema, TwoFactorChallengeResponse]),
);

/** POST /api/auth/logout. */
export const signedOutView = () => ({ message: "Successfully logged out" });
export const SignedOutResponse = /* @__PURE__ */ responseSchema(() => z.strictObject({ message: z.string() }));

// --- Gateway: users

export const userSummaryView = (s: UserSummary) => ({
  id: s.user.id,
  username: s.user.username,
  full_name: s.user.fullName,
  email: s.user.email,
  role: s.user.role,
  status: s.status,
  last_login: s.user.lastLogin,
  login_count: s.user.loginCount,
  two_factor_enabled: s.user.twoFactorEnabled,
  created_at: s.user.createdAt,
  avatar_color: s.user.avatarColor,
  permissions: s.user.permissions,
  enterprises: s.user.enterprises,
  session_count: s.loginSessionCount,
});

const userSummaryShape = /* @__PURE__ */ responseSchema(() => ({
  id: userId,
  username: z.string(),
  full_name: z.string(),
  email: z.string(),
  role,
  status: z.enum(["active", "inactive", "locked"]),
  last_login: z.nullable(timestamp),
  login_count: count,
  two_factor_enabled: z.boolean(),
  created_at: timestamp,
  avatar_color: z.string(),
  permissions,
  enterprises: z.array(z.string()).check(z.describe("GRC enterprises the user belongs to (ids)")),
  session_count: count.check(z.describe("The user's live login sessions")),
}));

export const UserListResponse = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({
    users: z.array(z.strictObject(userSummaryShape)),
    total: count,
    active: count,
    roles_summary: z.record(z.string(), count),
  }),
);

export const userListView = (l: UserListing) => ({
  users: l.users.map(userSummaryView),
  total: l.total,
  active: l.active,
  roles_summary: l.rolesSummary,
});

export function userDetailView(d: UserDetail) {
  const { session_count, avatar_color, ...summary } = userSummaryView(d);
  const u = d.user;
  return {
    ...summary,
    last_password_change: u.passwordChangedAt,
    failed_attempts: u.failedAttempts,
    two_factor_method: u.twoFactorMethod,
    updated_at: u.updatedAt,
    avatar_color,
    session_count,
    api_keys: d.apiKeys.map((k) => ({
      id: k.id,
      name: k.name,
      scope: k.scopes,
      created: k.createdAt,
      status: k.status,
    })),
    ssh_keys: d.sshKeys,
    recent_activity: d.recentActivity,
  };
}

export const UserDetailResponse = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({
    ...userSummaryShape,
    last_password_change: timestamp,
    failed_attempts: count,
    two_factor_method: z.nullable(z.enum(["app", "email", "sms"])),
    updated_at: timestamp,
    api_keys: z.array(
      z.strictObject({
        id: userId,
        name: z.string(),
        scope: z.array(z.string()),
        created: timestamp,
        status: z.string(),
      }),
    ),
    ssh_keys: z.array(z.strictObject({ fingerprint: z.string(), type: z.string(), added: timestamp })),
    recent_activity: z.array(
      z.strictObject({ timestamp, action: z.string(), ip: z.nullable(z.string()), status: z.string() }),
    ),
  }),
);

/** The user in POST /users/create's answer. */
export const createdUserView = (u: User) => ({
  id: u.id,
  username: u.username,
  full_name: u.fullName,
  email: u.email,
  role: u.role,
  status: u.status,
  created_at: u.createdAt,
  permissions: u.permissions,
  two_factor_enabled: u.twoFactorEnabled,
  force_password_change: u.forcePasswordChange,
});

/** The user in POST /users/update's answer. */
export const updatedUserView = (u: User) => ({
  id: u.id,
  username: u.username,
  full_name: u.fullName,
  email: u.email,
  role: u.role,
  two_factor_enabled: u.twoFactorEnabled,
  permissions: u.permissions,
  enterprises: u.enterprises,
});

/** POST /users/2fa/enroll: the app secret (shown once) or where the code went. */
export const twoFactorEnrollView = (e: EnrollResult) => ({
  status: "pending_verification" as const,
  ...enrollmentView(e),
});
export const TwoFactorEnrollResponse = /* @__PURE__ */ responseSchema(() =>
  z.union([
    z.strictObject({
      status: z.literal("pending_verification"),
      method: z.literal("app"),
      secret: z.string().check(z.describe("The TOTP secret (base32), shown once")),
      otpauth_uri: z.string(),
      expires_at: timestamp,
    }),
    z.strictObject({
      status: z.literal("pending_verification"),
      method: z.enum(["email", "sms"]),
      code_sent: z.boolean(),
      destination: z.string().check(z.describe("Where the code went, masked")),
      expires_at: timestamp,
    }),
  ]),
);

/** POST /users/2fa/verify: backup codes are shown here, once (only their hashes are kept). */
export const twoFactorEnabledView = (r: { method: string; backupCodes: string[] }, signedInWithToken: boolean) => ({
  status: "enabled" as const,
  method: r.method,
  backup_codes: r.backupCodes,
  message: signedInWithToken
    ? "Two-factor authentication enabled; sign in again to use it"
    : "Two-factor authentication enabled",
});
export const TwoFactorEnabledResponse = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({
    status: z.literal("enabled"),
    method: z.string(),
    backup_codes: z.array(z.string()).check(z.describe("One-time backup codes, shown once")),
    message: z.string(),
  }),
);

/** POST /users/2fa/disable. */
export const twoFactorDisabledView = () => ({
  status: "disabled" as const,
  message: "Two-factor authentication disabled",
});
export const TwoFactorDisabledResponse = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({ status: z.literal("disabled"), message: z.string() }),
);

export const enrollmentView = (e: EnrollResult) =>
  e.method === "app"
    ? { method: e.method, secret: e.secret, otpauth_uri: e.otpauthUri, expires_at: e.expiresAt }
    : { method: e.method, code_sent: e.codeSent, destination: e.destination, expires_at: e.expiresAt };

// --- Gateway: roles

export const roleView = (r: Role) => ({
  id: r.id,
  name: r.name,
  description: r.description,
  permissions: r.permissions,
  user_count: r.userCount,
  default: r.default,
  protected: r.protected,
  custom: r.custom,
  ...(r.permissionGroups ? { permission_groups: r.permissionGroups } : {}),
});

const RoleSchema = /* @__PURE__ */ responseSchema(() =>
  z
    .strictObject({
      id: z.string(),
      name: z.string(),
      description: z.string(),
      permissions,
      user_count: count,
      default: z.boolean(),
      protected: z.boolean(),
      custom: z.boolean(),
      permission_groups: z.optional(z.record(z.string(), z.array(z.string()))),
    })
    .check(z.meta({ id: "Role" })),
);

export const RoleListResponse = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({
    roles: z.array(RoleSchema),
    permission_categories: z
      .record(z.string(), z.array(z.string()))
      .check(z.describe("Every permission a route checks, by resource: what a role can usefully hold")),
  }),
);

export const roleListView = (l: RoleListing) => ({
  roles: l.roles.map(roleView),
  permission_categories: l.permissionCategories,
});

/** POST /roles. */
export const roleCreatedView = (r: Role) => ({
  status: "created" as const,
  role: roleView(r),
  message: "Role created successfully",
});
export const RoleCreatedResponse = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({
    status: z.literal("created"),
    role: RoleSchema,
    message: z.string(),
  }),
);

// --- Gateway: API keys

/** A key in GET /api-keys, with its owner. */
export const listedApiKeyView = (k: ListedApiKey & { owner: { id: number; username: string | null } }) => ({
  id: k.id,
  name: k.name,
  key_prefix: k.keyPrefix,
  key_start: k.keyStart,
  scope: k.scopes,
  user: k.owner,
  created: k.createdAt,
  last_used: k.lastUsed,
  expires: k.expiresAt,
  status: k.status,
  usage_count: k.usageCount,
  rate_limit: k.rateLimit,
  ip_restrictions: k.ipRestrictions,
  description: k.description,
});

const keyOwner = /* @__PURE__ */ responseSchema(() => z.strictObject({ id: userId, username: z.nullable(z.string()) }));
const keyShape = /* @__PURE__ */ responseSchema(() => ({
  id: userId,
  name: z.string(),
  key_prefix: z.string().check(z.describe('Display id of the key ("AK-009"); audit records carry it as api_key_id')),
  key_start: z.string().check(z.describe("The key's first 8 characters, so its holder can recognise it")),
  scope: permissions,
  description: z.string(),
  created: timestamp,
  expires: z.nullable(timestamp),
  rate_limit: count,
  ip_restrictions: z.array(z.string()),
}));

/** The new key in POST /api-keys/generate's answer: the only time `full_key` is shown. */
export const generatedApiKeyView = (key: PublicApiKey, fullKey: string, owner: User) => ({
  id: key.id,
  name: key.name,
  full_key: fullKey,
  key_prefix: key.keyPrefix,
  key_start: key.keyStart,
  scope: key.scopes,
  user: { id: owner.id, username: owner.username },
  description: key.description,
  created: key.createdAt,
  expires: key.expiresAt,
  rate_limit: key.rateLimit,
  ip_restrictions: key.ipRestrictions,
});

export const ApiKeyListResponse = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({
    api_keys: z.array(
      z.strictObject({
        ...keyShape,
        user: keyOwner,
        last_used: z.nullable(timestamp),
        status: z.enum(["active", "expired", "revoked"]),
        usage_count: count,
      }),
    ),
    total: count,
    active: count,
    expired: count,
    revoked: count,
  }),
);

// --- Gateway: user administration answers

export const UserCreatedResponse = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({
    status: z.literal("created"),
    user_id: userId,
    user: z.strictObject({
      id: userId,
      username: z.string(),
      full_name: z.string(),
      email: z.string(),
      role,
      status: z.enum(["active", "inactive", "locked"]),
      created_at: timestamp,
      permissions,
      two_factor_enabled: z.boolean(),
      force_password_change: z.boolean(),
    }),
    message: z.string(),
    welcome_email_sent: z.boolean(),
    temporary_password: z.optional(z.string().check(z.describe("Generated when no password was given; shown once"))),
  }),
);

export const userCreatedView = (r: Awaited<ReturnType<typeof addUser>>) => ({
  status: "created",
  user_id: r.user.id,
  user: createdUserView(r.user),
  message: "User created successfully",
  welcome_email_sent: r.welcomeEmailSent,
  ...(r.temporaryPassword ? { temporary_password: r.temporaryPassword } : {}),
});

export const UserUpdatedResponse = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({
    status: z.literal("updated"),
    user: z.strictObject({
      id: userId,
      username: z.string(),
      full_name: z.string(),
      email: z.string(),
      role,
      two_factor_enabled: z.boolean(),
      permissions,
      enterprises: z.array(z.string()).check(z.describe("GRC enterprises the user belongs to (ids)")),
    }),
    message: z.string(),
    notify_user: z.boolean(),
    changes: ChangesSchema,
    sessions_terminated: count,
  }),
);

export const userUpdatedView = (r: Awaited<ReturnType<typeof updateUser>>) => ({
  status: "updated",
  user: updatedUserView(r.user),
  message: "User updated successfully",
  notify_user: r.notified,
  changes: r.changes,
  sessions_terminated: r.loginSessionsEnded,
});

export const UserDeletedResponse = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({
    status: z.literal("deleted"),
    user_id: userId,
    message: z.string(),
    data_transferred: z.boolean(),
    data_archived: z.boolean(),
    sessions_terminated: count,
    api_keys_transferred: count,
    api_keys_revoked: count,
  }),
);

export const userDeletedView = (r: Awaited<ReturnType<typeof deleteUser>>) => ({
  status: "deleted",
  user_id: r.user.id,
  message: "User deleted successfully",
  data_transferred: r.dataTransferred,
  data_archived: r.dataArchived,
  sessions_terminated: r.loginSessionsEnded,
  api_keys_transferred: r.apiKeysTransferred,
  api_keys_revoked: r.apiKeysRevoked,
});

export const PasswordResetResponse = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({
    status: z.literal("reset"),
    user_id: userId,
    username: z.string(),
    message: z.string(),
    email_sent: z.boolean(),
    requires_change: z.boolean(),
    sessions_terminated: count,
    temporary_password: z.optional(z.string().check(z.describe("Generated when no password was given; shown once"))),
  }),
);

export const passwordResetView = (r: Awaited<ReturnType<typeof resetPassword>>) => ({
  status: "reset",
  user_id: r.user.id,
  username: r.user.username,
  message: "Password reset successfully",
  email_sent: r.emailSent,
  requires_change: r.requiresChange,
  sessions_terminated: r.loginSessionsEnded,
  ...(r.temporaryPassword ? { temporary_password: r.temporaryPassword } : {}),
});

export const UserLockResponse = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({
    status: z.enum(["locked", "unlocked"]),
    user_id: userId,
    username: z.string(),
    locked_until: z.nullable(timestamp),
    message: z.string(),
    notified: z.boolean(),
    sessions_terminated: z.optional(count),
  }),
);

export function userLockView(
  r: Awaited<ReturnType<typeof lockUser>>,
  input: { action: "lock" | "unlock"; reason?: string },
) {
  const locking = input.action === "lock";
  return {
    status: locking ? "locked" : "unlocked",
    user_id: r.user.id,
    username: r.user.username,
    locked_until: r.lockedUntil,
    message: locking ? `User account locked${input.reason ? `: ${input.reason}` : ""}` : "User account unlocked",
    notified: r.notified,
    ...(locking ? { sessions_terminated: r.loginSessionsEnded } : {}),
  };
}

export const PasswordChangedResponse = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({
    status: z.literal("changed"),
    message: z.string(),
    sessions_terminated: count,
  }),
);

export const passwordChangedView = (r: Awaited<ReturnType<typeof changeOwnPassword>>) => ({
  status: "changed",
  message: "Password changed; sign in again with the new password",
  sessions_terminated: r.loginSessionsEnded,
});

// --- Gateway: authentication policy answers

/** GET /authentication/settings: the policy in effect (defaults overlaid with the tenant's changes). */
export const AuthSettingsResponse = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({
    password_policy: z.strictObject({
      min_length: count,
      max_length: count,
      expiry_days: count.check(z.describe("0: passwords never expire")),
      history_size: count,
      require_special_chars: z.boolean(),
      require_numbers: z.boolean(),
      require_uppercase: z.boolean(),
      require_lowercase: z.boolean(),
      prevent_reuse: z.boolean(),
      prevent_common: z.boolean(),
      prevent_sequential: z.boolean(),
      prevent_username: z.boolean(),
    }),
    account_protection: z.strictObject({
      lockout_attempts: count,
      lockout_duration: count,
      lockout_window: count,
      captcha_enabled: z.boolean(),
      captcha_threshold: count,
      ip_blacklist_enabled: z.boolean(),
      ip_blacklist_threshold: count,
    }),
    session_settings: z.strictObject({
      timeout_minutes: count,
      max_concurrent_sessions: count,
      session_renewal: z.boolean(),
      idle_timeout: count,
      remember_me_days: count,
      secure_cookies: z.boolean(),
      http_only_cookies: z.boolean(),
    }),
    two_factor: z.strictObject({
      mode: z.enum(["disabled", "optional", "required"]),
      enforced_for_roles: z.array(z.string()),
      methods: z.array(z.enum(["app", "sms", "email"])),
      default_method: z.enum(["app", "sms", "email"]),
      backup_codes_count: count,
      recovery_enabled: z.boolean(),
    }),
    brute_force_protection: z.strictObject({
      enabled: z.boolean(),
      max_attempts_per_ip: count,
      window_minutes: count,
      block_duration: count,
    }),
  }),
);

const settingsUpdateShape = /* @__PURE__ */ responseSchema(() => ({
  status: z.literal("updated"),
  message: z.string(),
  affected_users: count,
  notifications_sent: z.boolean(),
  changes: ChangesSchema,
}));
export const AuthSettingsUpdatedResponse = /* @__PURE__ */ responseSchema(() => z.strictObject(settingsUpdateShape));

export const authSettingsUpdatedView = (r: SettingsUpdate) => ({
  status: "updated",
  message: "Authentication settings updated successfully",
  affected_users: r.affectedUsers,
  notifications_sent: r.notificationsSent,
  changes: r.changes,
});

export const PasswordProfileResponse = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({
    ...settingsUpdateShape,
    profile: z.string(),
    password_policy: AuthSettingsResponse.shape.password_policy,
  }),
);

export const passwordProfileView = (r: SettingsUpdate, profile: PasswordProfile) => ({
  status: "updated",
  profile,
  message: `Password policy set to the '${profile}' profile`,
  affected_users: r.affectedUsers,
  notifications_sent: r.notificationsSent,
  changes: r.changes,
  password_policy: r.policy.password_policy,
});

export const PasswordAssessmentResponse = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({
    strength: z.enum(["very weak", "weak", "fair", "good", "strong"]),
    score: z.number(),
    meets_policy: z.boolean(),
    issues: z.array(z.string()),
    suggestions: z.array(z.string()),
    checks: z.record(
      z.string(),
      z
        .looseObject({ passed: z.boolean() })
        .check(z.describe("passed, plus what was measured against what the policy asks")),
    ),
    estimated_crack_time: z.string(),
  }),
);

export const passwordAssessmentView = (a: PasswordAssessment) => ({
  strength: a.strength,
  score: a.score,
  meets_policy: a.meetsPolicy,
  issues: a.issues,
  suggestions: a.suggestions,
  checks: a.checks,
  estimated_crack_time: a.estimatedCrackTime,
});

// --- Gateway: API key answers

export const ApiKeyGeneratedResponse = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({
    status: z.literal("generated"),
    api_key: z.strictObject({
      ...keyShape,
      full_key: z
        .string()
        .check(
          z.describe(
            "The key (sk_…), shown this once and never stored: send it as `X-API-Key: <key>` or `Authorization: Bearer <key>`",
          ),
        ),
      user: z.strictObject({ id: userId, username: z.string() }),
    }),
    warning: z.string(),
    download_url: z.null(),
    notifications_sent: z.boolean(),
  }),
);

export const apiKeyGeneratedView = (r: GeneratedKey) => ({
  status: "generated",
  api_key: generatedApiKeyView(r.key, r.fullKey, r.owner),
  warning: "Store this key securely. The full key will not be shown again.",
  // The key is not kept anywhere after this response, so there is nothing a download could serve.
  download_url: null,
  notifications_sent: r.notificationsSent,
});

export const apiKeyListView = (l: KeyListing) => ({
  api_keys: l.keys.map(listedApiKeyView),
  total: l.total,
  active: l.active,
  expired: l.expired,
  revoked: l.revoked,
});

export const ApiKeyRevokedResponse = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({
    status: z.literal("revoked"),
    key_id: userId,
    key_name: z.string(),
    message: z.string(),
    user_notified: z.boolean(),
    sessions_terminated: count.check(
      z.describe("1 when the key was in use in the last 15 minutes (a live client is cut off)"),
    ),
  }),
);

export const apiKeyRevokedView = (r: RevokeResult) => ({
  status: "revoked",
  key_id: r.key.id,
  key_name: r.key.name,
  message: "API key revoked successfully",
  user_notified: r.userNotified,
  // The spec's name; for a key it counts a client cut off mid-use, not a login session.
  sessions_terminated: r.liveClientsCutOff,
});

export const ApiKeyUpdatedResponse = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({
    status: z.literal("updated"),
    key_id: userId,
    key_name: z.string(),
    message: z.string(),
    changes: ChangesSchema,
  }),
);

export const apiKeyUpdatedView = (r: Awaited<ReturnType<typeof updateApiKey>>) => ({
  status: "updated",
  key_id: r.key.id,
  key_name: r.key.name,
  message: Object.keys(r.changes).length ? "API key updated successfully" : "No changes",
  changes: r.changes,
});

// --- Sign-up and registration answers

export const SecurenetSignUpResponse = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({
    token: z.string(),
    user: SecurenetUserResponse,
    organization: z.strictObject({ id: z.string(), plan: z.string() }),
  }),
);

/** POST /api/auth/signup (securenet): the new organization's first sign-in, on the plan it really started on. */
export const securenetSignUp = (s: SignedIn & { plan: string }) => ({
  token: s.token.token,
  user: securenetUser(s.user),
  organization: { id: s.user.tenantId, plan: s.plan },
});

/** POST /api/v1/auth/register (cloudsentinel): the new user, who has not signed in yet. */
export function cloudsentinelRegistered(u: User) {
  const { last_login: _, ...view } = cloudsentinelUser(u);
  return view;
}

export const CloudsentinelRegisteredResponse = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({
    id: userId,
    email: z.string(),
    username: z.string(),
    full_name: z.string(),
    role,
    is_active: z.boolean(),
    created_at: timestamp,
  }),
);

export const TokenSettingsSchema = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({
    jwt_expiry_days: z.number(),
    access_token_ttl_seconds: count,
    refresh_token_expiry_days: z.null().check(z.describe("No refresh tokens are issued: a client signs in again")),
    issuer: z.string(),
    audience: z.array(z.string()),
    algorithm: z.literal("ES256"),
  }),
);

/** "Get Token Settings" token_settings. */
export function tokenSettingsView(t: EffectiveTokenSettings) {
  const ttl = t.accessTokenTtlSeconds;
  return {
    // The spec counts in days; the platform's lifetimes are far shorter, so this is a fraction.
    jwt_expiry_days: Number((ttl / 86_400).toFixed(6)),
    access_token_ttl_seconds: ttl,
    // No refresh tokens are issued (a client signs in again), so there is no lifetime to report.
    refresh_token_expiry_days: null,
    issuer: t.issuer,
    audience: [t.audience],
    algorithm: t.algorithm,
  };
}

/** "Get Token Settings" rate_limiting. */
export function rateLimitingView(limit: typeof TOKEN_RATE_LIMIT) {
  return {
    enabled: true,
    requests_per_minute: limit.requestsPerMinute,
    // A fixed one-minute window admits its whole quota at once: the burst is the quota.
    burst_size: limit.requestsPerMinute,
    window_seconds: limit.windowSeconds,
    per: "tenant (user tokens) or API key (its own rate_limit)",
  };
}

export const TokenRateLimitingSchema = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({
    enabled: z.boolean(),
    requests_per_minute: count,
    burst_size: count,
    window_seconds: count,
    per: z.string(),
  }),
);

export const TokenSettingsUpdatedResponse = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({
    status: z.literal("updated"),
    token_settings: TokenSettingsSchema,
    changes: z.record(z.string(), z.strictObject({ old: z.number(), new: z.number() })),
  }),
);

/** POST /tokens/settings */
export function tokenSettingsUpdatedView(r: {
  settings: EffectiveTokenSettings;
  changes: Record<string, { old: number; new: number }>;
}) {
  return { status: "updated", token_settings: tokenSettingsView(r.settings), changes: r.changes };
}

// --- Platform: the token-signing key set

/** GET /.well-known/jwks.json: the public half of the ES256 key that signs access tokens (RFC 7517). */
export const JwksResponse = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({
    keys: z.array(
      z.strictObject({
        kty: z.literal("EC"),
        crv: z.literal("P-256"),
        x: z.string(),
        y: z.string(),
        kid: z.string().check(z.describe("RFC 7638 thumbprint of the key")),
        alg: z.literal("ES256"),
        use: z.literal("sig"),
      }),
    ),
  }),
);
