/**
 * Sign-in sessions: one item per issued access token, kept until the token expires (the item's
 * TTL is the token's `exp`) or is revoked. They make `session_count` and the policy's
 * `max_concurrent_sessions` real. Revoking a session writes the token's revocation marker (read by
 * `authenticate()` on every request) and deletes the session.
 *
 * A session's id is the token's `jti`, `<userId>.<uuid>`: logout knows only the jti, and the user id
 * in it locates the session item without a lookup.
 *
 * Also here: 2FA sign-in challenges, the short-lived step between a correct password and a code.
 */
import { randomUUID } from "node:crypto";
import * as z from "zod/mini";
import { tableName } from "#shared/table/client.ts";
import { type Key, keys } from "#shared/table/keys.ts";
import type { Item } from "#shared/table/repo.ts";

export const SessionItem = z.object({
  type: z.literal("Session"),
  tenantId: z.string(),
  userId: z.number(),
  jti: z.string(),
  issuedAt: z.string(),
  /** Epoch seconds: the token's `exp`, and the item's TTL. */
  expiresAt: z.number(),
  ip: z._default(z.nullable(z.string()), null),
  userAgent: z._default(z.nullable(z.string()), null),
  restriction: z._default(z.nullable(z.string()), null),
});
export type Session = z.infer<typeof SessionItem>;

export const parseSession = (item: Item): Session => SessionItem.parse(item);

export const newSessionId = (userId: number): string => `${userId}.${randomUUID()}`;

/** The user id a session id was minted for, or undefined for tokens minted without a session. */
export function sessionOwner(jti: string): number | undefined {
  const m = jti.match(/^(\d{1,10})\.[0-9a-f-]{36}$/);
  return m ? Number(m[1]) : undefined;
}

export const sessionKey = (tenantId: string, userId: number, jti: string): Key => ({
  PK: keys.tenant(tenantId).PK,
  SK: `${keys.user(tenantId, userId).SK}#SESSION#${jti}`,
});

/** DynamoDB's TTL deletes late: an item past its expiry is not a live session. */
export const isLive = (s: Pick<Session, "expiresAt">, now = Date.now()): boolean => s.expiresAt * 1000 > now;

export function liveSessions(sessions: Session[], now = Date.now()): Session[] {
  return sessions.filter((s) => isLive(s, now)).sort((a, b) => a.issuedAt.localeCompare(b.issuedAt));
}

export function sessionPut(s: Omit<Session, "type">) {
  return { Put: { TableName: tableName, Item: { ...sessionKey(s.tenantId, s.userId, s.jti), type: "Session", ...s } } };
}

/** The token's revocation marker, kept until the token would have expired anyway. */
export function revokedMarkerPut(tenantId: string, jti: string, exp: number) {
  return {
    Put: { TableName: tableName, Item: { ...keys.revokedToken(tenantId, jti), type: "RevokedToken", expiresAt: exp } },
  };
}

/** Transaction items ending a session: its token is refused from the next request on. */
export function revokeSessionItems(s: Session) {
  return [
    revokedMarkerPut(s.tenantId, s.jti, s.expiresAt),
    { Delete: { TableName: tableName, Key: sessionKey(s.tenantId, s.userId, s.jti) } },
  ];
}

export const ChallengeItem = z.object({
  type: z.literal("TwoFactorChallenge"),
  tenantId: z.string(),
  userId: z.number(),
  /** Epoch seconds; also the TTL. */
  expiresAt: z.number(),
  attempts: z._default(z.number(), 0),
  /** SHA-256 of the code sent by email or SMS for this challenge. */
  codeHash: z._default(z.nullable(z.string()), null),
  methods: z.array(z.string()),
  version: z.number(),
});
export type Challenge = z.infer<typeof ChallengeItem>;

export const challengeKey = (tenantId: string, digest: string): Key => ({
  PK: keys.tenant(tenantId).PK,
  SK: `CHALLENGE#${digest}`,
});
