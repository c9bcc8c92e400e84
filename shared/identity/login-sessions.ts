/**
 * Login sessions: every access token a sign-in issues is recorded as a login session (see
 * db/login-sessions.ts), which makes `max_concurrent_sessions` enforceable (the oldest live login
 * session is ended when a new one would exceed it) and lets a password reset, lock, role change,
 * deletion or emergency lock end every login session of a user on the very next request.
 */
import { type IssuedToken, issueAccessToken, type TokenRestriction } from "#shared/auth/tokens.ts";
import {
  endLoginSessionItems,
  type LoginSession,
  listUsersWithLoginSessions,
  liveLoginSessions,
  loginSessionDelete,
  loginSessionOwner,
  loginSessionPut,
  newLoginSessionId,
  revokedMarkerPut,
  type UserWithLoginSessions,
} from "#shared/identity/db/login-sessions.ts";
import type { User } from "#shared/identity/db/users.ts";
import { transact } from "#shared/table/repo.ts";
import type { AuthPolicy } from "./auth-policy.ts";
import { tokenTtlSeconds } from "./token-settings.ts";

export type TransactItem = Parameters<typeof transact>[0][number];

export interface ClientMeta {
  ip: string;
  userAgent: string;
}

export interface PreparedLoginSession {
  token: IssuedToken;
  restriction?: TokenRestriction;
  /** Transaction items: the new login session, and the ending of those it pushes out. */
  items: TransactItem[];
  /** The new login session as recorded (to end it again if the sign-in cannot complete). */
  record: LoginSession;
  evicted: LoginSession[];
}

/**
 * Signs a token for `user` and prepares its login session; the caller writes `items` in the same
 * transaction as its own change, so a token is only ever handed out for a recorded login session.
 */
export async function prepareLoginSession(
  user: Pick<User, "tenantId" | "id" | "role">,
  existing: LoginSession[],
  policy: AuthPolicy,
  meta: ClientMeta,
  restriction?: TokenRestriction,
  /** The tenant's access-token lifetime when the caller read it already (sign-in reads it with the policy). */
  ttlSeconds?: number,
): Promise<PreparedLoginSession> {
  // Restricted login sessions (password change, 2FA enrolment) can do next to nothing: they neither
  // count towards the limit nor push a full one out — a password alone must not end the owner's login sessions.
  const full = liveLoginSessions(existing).filter((s) => s.restriction === null);
  const max = policy.session_settings.max_concurrent_sessions;
  const evicted = !restriction && full.length >= max ? full.slice(0, full.length - max + 1) : [];
  const jti = newLoginSessionId(user.id);
  // The tenant may shorten the access-token lifetime (GET/POST /tokens/settings), never lengthen it.
  const ttl = ttlSeconds ?? (await tokenTtlSeconds(user.tenantId));
  const token = await issueAccessToken(
    { userId: user.id, tenantId: user.tenantId, role: user.role, restriction, jti },
    ttl,
  );
  const loginSession: LoginSession = {
    type: "Session",
    tenantId: user.tenantId,
    userId: user.id,
    jti,
    issuedAt: new Date().toISOString(),
    expiresAt: Math.floor(token.expiresAt.getTime() / 1000),
    ip: meta.ip,
    userAgent: meta.userAgent.slice(0, 256),
    restriction: restriction ?? null,
  };
  return {
    token,
    ...(restriction ? { restriction } : {}),
    items: [loginSessionPut(loginSession), ...evicted.flatMap(endLoginSessionItems)],
    record: loginSession,
    evicted,
  };
}

const TRANSACTION_LIMIT = 100;

/**
 * Writes `first` (the change that matters, e.g. the user update with `tokensValidAfter`) together
 * with as many login-session endings as fit, then the rest in further transactions.
 */
export async function transactEndingLoginSessions(
  first: TransactItem[],
  loginSessions: LoginSession[],
  conflicts: (string | undefined)[] = [],
): Promise<void> {
  const endings = loginSessions.flatMap(endLoginSessionItems);
  const room = Math.max(0, TRANSACTION_LIMIT - first.length);
  const fitting = room - (room % 2);
  await transact([...first, ...endings.slice(0, fitting)], conflicts);
  for (let i = fitting; i < endings.length; i += TRANSACTION_LIMIT) {
    await transact(endings.slice(i, i + TRANSACTION_LIMIT));
  }
}

/** Ends one token's login session (sign-out): its revocation marker, and its item when it has one. */
export async function endLoginSession(tenantId: string, jti: string, exp: number): Promise<void> {
  const owner = loginSessionOwner(jti);
  const items: TransactItem[] = [revokedMarkerPut(tenantId, jti, exp)];
  if (owner !== undefined) items.push(loginSessionDelete(tenantId, owner, jti));
  await transact(items);
}

/**
 * Every user of a tenant with their live login sessions (oldest first): what an emergency lock
 * ends and whom it tells.
 */
export async function listUsersWithLiveLoginSessions(
  tenantId: string,
  opts: { consistent?: boolean; now?: number } = {},
): Promise<UserWithLoginSessions[]> {
  const now = opts.now ?? Date.now();
  return (await listUsersWithLoginSessions(tenantId, opts.consistent ?? false)).map(({ user, loginSessions }) => ({
    user,
    loginSessions: liveLoginSessions(loginSessions, now),
  }));
}

/** The epoch second from which a user's earlier tokens are refused. */
export const nowEpoch = (): number => Math.floor(Date.now() / 1000);
