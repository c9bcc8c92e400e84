/**
 * Identity as each surface shows it: domain objects (camelCase) in, the spec's wire shape out —
 * snake_case on the gateway surface, and the cloudsentinel and securenet specs' own shapes where
 * their examples differ.
 */

import type { User } from "#shared/identity/db/users.ts";
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

// --- Sign-in (every surface)

/** How every login route answers when a second factor is still needed: no token yet. */
export const twoFactorChallenge = (c: { challengeToken: string; methods: readonly string[]; expiresIn: number }) => ({
  two_factor_required: true,
  challenge_token: c.challengeToken,
  methods: c.methods,
  expires_in: c.expiresIn,
});

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

/** POST /api/v1/auth/token after a completed sign-in. */
export const cloudsentinelToken = (s: SignedIn) => ({
  access_token: s.token.token,
  token_type: "bearer",
  expires_in: s.token.expiresIn,
  user_id: s.user.id,
  role: s.user.role,
  ...(s.restriction ? { restricted_to: s.restriction } : {}),
});

/** GET /api/v1/auth/validate: the caller behind a valid credential. */
export const cloudsentinelValidation = (p: Principal) => ({
  valid: true,
  user_id: p.user.id,
  email: p.user.email,
  role: p.user.role,
  expires_at: p.token ? new Date(p.token.exp * 1000).toISOString() : null,
});

// --- securenet-api.md

/** How securenet-api.md shows a user. */
export const securenetUser = (u: User) => ({
  id: u.id,
  username: u.username,
  email: u.email,
  role: u.role,
  last_login: u.lastLogin,
});

/** POST /api/auth/login and /login/2fa after a completed sign-in. */
export const securenetSignIn = (s: SignedIn) => ({
  token: s.token.token,
  user: securenetUser(s.user),
  ...(s.restriction ? { restricted_to: s.restriction } : {}),
});

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

export const roleListView = (l: RoleListing) => ({
  roles: l.roles.map(roleView),
  permission_categories: l.permissionCategories,
});

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

// --- Gateway: user administration answers

export const userCreatedView = (r: Awaited<ReturnType<typeof addUser>>) => ({
  status: "created",
  user_id: r.user.id,
  user: createdUserView(r.user),
  message: "User created successfully",
  welcome_email_sent: r.welcomeEmailSent,
  ...(r.temporaryPassword ? { temporary_password: r.temporaryPassword } : {}),
});

export const userUpdatedView = (r: Awaited<ReturnType<typeof updateUser>>) => ({
  status: "updated",
  user: updatedUserView(r.user),
  message: "User updated successfully",
  notify_user: r.notified,
  changes: r.changes,
  sessions_terminated: r.loginSessionsEnded,
});

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

export const passwordChangedView = (r: Awaited<ReturnType<typeof changeOwnPassword>>) => ({
  status: "changed",
  message: "Password changed; sign in again with the new password",
  sessions_terminated: r.loginSessionsEnded,
});

// --- Gateway: authentication policy answers

export const authSettingsUpdatedView = (r: SettingsUpdate) => ({
  status: "updated",
  message: "Authentication settings updated successfully",
  affected_users: r.affectedUsers,
  notifications_sent: r.notificationsSent,
  changes: r.changes,
});

export const passwordProfileView = (r: SettingsUpdate, profile: PasswordProfile) => ({
  status: "updated",
  profile,
  message: `Password policy set to the '${profile}' profile`,
  affected_users: r.affectedUsers,
  notifications_sent: r.notificationsSent,
  changes: r.changes,
  password_policy: r.policy.password_policy,
});

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

export const apiKeyRevokedView = (r: RevokeResult) => ({
  status: "revoked",
  key_id: r.key.id,
  key_name: r.key.name,
  message: "API key revoked successfully",
  user_notified: r.userNotified,
  // The spec's name; for a key it counts a client cut off mid-use, not a login session.
  sessions_terminated: r.liveClientsCutOff,
});

export const apiKeyUpdatedView = (r: Awaited<ReturnType<typeof updateApiKey>>) => ({
  status: "updated",
  key_id: r.key.id,
  key_name: r.key.name,
  message: Object.keys(r.changes).length ? "API key updated successfully" : "No changes",
  changes: r.changes,
});

// --- Sign-up and registration answers

/** POST /api/auth/signup (securenet): the new organization's first sign-in. */
export const securenetSignUp = (s: SignedIn) => ({
  token: s.token.token,
  user: securenetUser(s.user),
  organization: { id: s.user.tenantId, plan: "free" },
});

/** POST /api/v1/auth/register (cloudsentinel): the new user, who has not signed in yet. */
export function cloudsentinelRegistered(u: User) {
  const { last_login: _, ...view } = cloudsentinelUser(u);
  return view;
}

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

/** POST /tokens/settings */
export function tokenSettingsUpdatedView(r: {
  settings: EffectiveTokenSettings;
  changes: Record<string, { old: number; new: number }>;
}) {
  return { status: "updated", token_settings: tokenSettingsView(r.settings), changes: r.changes };
}
