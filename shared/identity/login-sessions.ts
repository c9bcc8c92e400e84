/**
 * Sessions: every access token a sign-in issues is recorded as a session (see db/sessions.ts),
 * which makes `max_concurrent_sessions` enforceable (the oldest live session is revoked when a new
 * one would exceed it) and lets a password reset, lock, role change or deletion end every session
 * of a user on the very next request.
 */
import { type IssuedToken, issueAccessToken, type TokenRestriction } from "#shared/auth/tokens.ts";
import {
  liveSessions,
  newSessionId,
  revokedMarkerPut,
  revokeSessionItems,
  type Session,
  sessionKey,
  sessionOwner,
  sessionPut,
} from "#shared/identity/db/login-sessions.ts";
import type { User } from "#shared/identity/db/users.ts";
import { tableName } from "#shared/table/client.ts";
import { transact } from "#shared/table/repo.ts";
import type { AuthPolicy } from "./auth-policy.ts";
import { tokenTtlSeconds } from "./token-settings.ts";

export type TransactItem = Parameters<typeof transact>[0][number];

export interface ClientMeta {
  ip: string;
  userAgent: string;
}

export interface PreparedSession {
  token: IssuedToken;
  restriction?: TokenRestriction;
  /** Transaction items: the new session, and the revocation of the sessions it pushes out. */
  items: TransactItem[];
  evicted: Session[];
}

/**
 * Signs a token for `user` and prepares its session; the caller writes `items` in the same
 * transaction as its own change, so a token is only ever handed out for a recorded session.
 */
export async function prepareSession(
  user: Pick<User, "tenantId" | "id" | "role">,
  existing: Session[],
  policy: AuthPolicy,
  meta: ClientMeta,
  restriction?: TokenRestriction,
): Promise<PreparedSession> {
  // Restricted sessions (password change, 2FA enrolment) can do next to nothing: they neither count
  // towards the limit nor push a full session out — a password alone must not end the owner's sessions.
  const full = liveSessions(existing).filter((s) => s.restriction === null);
  const max = policy.session_settings.max_concurrent_sessions;
  const evicted = !restriction && full.length >= max ? full.slice(0, full.length - max + 1) : [];
  const jti = newSessionId(user.id);
  // The tenant may shorten the access-token lifetime (GET/POST /tokens/settings), never lengthen it.
  const ttl = await tokenTtlSeconds(user.tenantId);
  const token = await issueAccessToken(
    { userId: user.id, tenantId: user.tenantId, role: user.role, restriction, jti },
    ttl,
  );
  const session = {
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
    items: [sessionPut(session), ...evicted.flatMap(revokeSessionItems)],
    evicted,
  };
}

const TRANSACTION_LIMIT = 100;

/**
 * Writes `first` (the change that matters, e.g. the user update with `tokensValidAfter`) together
 * with as many session revocations as fit, then the rest in further transactions.
 */
export async function transactWithRevocations(
  first: TransactItem[],
  sessions: Session[],
  conflicts: (string | undefined)[] = [],
): Promise<void> {
  const revocations = sessions.flatMap(revokeSessionItems);
  const room = Math.max(0, TRANSACTION_LIMIT - first.length);
  const fitting = room - (room % 2);
  await transact([...first, ...revocations.slice(0, fitting)], conflicts);
  for (let i = fitting; i < revocations.length; i += TRANSACTION_LIMIT) {
    await transact(revocations.slice(i, i + TRANSACTION_LIMIT));
  }
}

/** Ends one token's session (logout): its revocation marker, and its session item when it has one. */
export async function endSession(tenantId: string, jti: string, exp: number): Promise<void> {
  const owner = sessionOwner(jti);
  const items: TransactItem[] = [revokedMarkerPut(tenantId, jti, exp)];
  if (owner !== undefined) items.push({ Delete: { TableName: tableName, Key: sessionKey(tenantId, owner, jti) } });
  await transact(items);
}

/** The epoch second from which a user's earlier tokens are refused. */
export const nowEpoch = (): number => Math.floor(Date.now() / 1000);
