/**
 * Setting a password: the tenant's policy (rules and history) checked before hashing, temporary
 * passwords for accounts created or reset without one, a user's own password change, and the
 * policy's verdict on a candidate password (with a strength estimate) without setting it.
 */
import { generatePassword, hashPassword, verifyPassword } from "#shared/auth/passwords.ts";
import { getUserWithLoginSessions, liveLoginSessions } from "#shared/identity/db/login-sessions.ts";
import { type User, userUpdateItem } from "#shared/identity/db/users.ts";
import { Forbidden, Invalid } from "#shared/kit/errors.ts";
import { type AuthEvent, rejectProof } from "./account-failures.ts";
import { type AuthPolicy, getAuthPolicy, MAX_HISTORY } from "./auth-policy.ts";
import { nowEpoch, transactEndingLoginSessions } from "./login-sessions.ts";
import { assertPasswordMeetsPolicy, checkPassword } from "./password-rules.ts";
import type { Principal } from "./principal.ts";

function fieldError(loc: (string | number)[], msg: string): Invalid {
  return new Invalid(`${loc.join(".")}: ${msg}`, [{ loc, msg, type: "value_error" }]);
}

export interface PasswordFields {
  passwordHash: string;
  passwordHistory: string[];
  passwordChangedAt: string;
}

/**
 * Checks a new password against the tenant's policy — including, for an existing user, the last
 * `history_size` passwords (the current one counts) when `prevent_reuse` is on — and hashes it.
 * The cheap checks run first, so a refused password costs no hashing.
 */
export async function preparePassword(
  password: string,
  policy: AuthPolicy,
  opts: { username: string; field?: string; current?: Pick<User, "passwordHash" | "passwordHistory"> },
): Promise<PasswordFields> {
  const pp = policy.password_policy;
  assertPasswordMeetsPolicy(password, pp, { username: opts.username, field: opts.field });
  const remembered =
    opts.current && pp.prevent_reuse
      ? [opts.current.passwordHash, ...opts.current.passwordHistory].slice(0, pp.history_size)
      : [];
  if (remembered.length > 0) {
    const matches = await Promise.all(remembered.map((h) => verifyPassword(password, h)));
    if (matches.some(Boolean))
      assertPasswordMeetsPolicy(password, pp, { username: opts.username, field: opts.field, reused: true });
  }
  const keep = pp.prevent_reuse ? Math.min(MAX_HISTORY, pp.history_size) - 1 : 0;
  const passwordHistory =
    opts.current && keep > 0 ? [opts.current.passwordHash, ...opts.current.passwordHistory].slice(0, keep) : [];
  return { passwordHash: await hashPassword(password), passwordHistory, passwordChangedAt: new Date().toISOString() };
}

/** A password the policy accepts, for accounts created or reset without one (shown once). */
export function temporaryPassword(policy: AuthPolicy, username: string): string {
  const pp = policy.password_policy;
  const length = Math.min(pp.max_length, Math.max(20, pp.min_length));
  for (let i = 0; i < 20; i++) {
    const candidate = generatePassword(length);
    if (checkPassword(candidate, pp, { username }).issues.length === 0) return candidate;
  }
  throw new Error("could not generate a password that meets the policy");
}

/** The signed-in user changes their own password (the way out of a forced change); every login session ends. */
export async function changeOwnPassword(caller: Principal, input: { currentPassword: string; newPassword: string }) {
  if (caller.apiKey) throw new Forbidden("Changing a password needs a signed-in user, not an API key");
  const [found, policy] = await Promise.all([
    getUserWithLoginSessions(caller.tenantId, caller.userId, true),
    getAuthPolicy(caller.tenantId, true),
  ]);
  if (!found) throw new Forbidden("Account no longer exists");
  const { user, loginSessions } = found;
  if (!(await verifyPassword(input.currentPassword, user.passwordHash))) {
    // Counted like a failed sign-in: a stolen login session cannot be used to guess the password.
    throw await rejectProof(user, policy, "current_password", "invalid_current_password");
  }
  if (input.newPassword === input.currentPassword)
    throw fieldError(["body", "new_password"], "must differ from the current password");
  const password = await preparePassword(input.newPassword, policy, {
    username: user.username,
    field: "new_password",
    current: user,
  });
  const live = liveLoginSessions(loginSessions);
  await transactEndingLoginSessions(
    [
      userUpdateItem(user, {
        ...password,
        forcePasswordChange: false,
        failedAttempts: 0,
        failedWindowStart: null,
        tokensValidAfter: nowEpoch(),
        updatedAt: password.passwordChangedAt,
      }),
    ],
    live,
    ["User was changed by another request; reload and retry"],
  );
  return { user, loginSessionsEnded: live.length, events: [] as AuthEvent[] };
}
