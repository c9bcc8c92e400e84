/**
 * Login sessions: one item per access token a sign-in issues, kept until the token expires (the
 * item's TTL is the token's `exp`) or is revoked. They make `session_count` and the policy's
 * `max_concurrent_sessions` real. Ending a login session writes the token's revocation marker
 * (`REVOKED#<jti>`, read by `authenticate()` on every request, kept until the token would have
 * expired anyway) and deletes the login session.
 *
 * A login session's id is the token's `jti`, `<userId>.<uuid>`: sign-out knows only the jti, and the
 * user id in it locates the item without a lookup. The item sits right after its user's item
 * (`USER#<id>#SESSION#<jti>`), so one Query reads a user — or all users — with their login sessions.
 *
 * Access patterns: users with their login sessions (Query begins_with `USER#` or `USER#<id>`),
 * open one (Put in the sign-in's transaction), end one (revocation marker Put + Delete), check a
 * token's revocation (GetItem in the request's BatchGet).
 */
import { randomUUID } from "node:crypto";
import * as z from "zod/mini";
import { tableName } from "#shared/table/client.ts";
import { type Key, tenantPk } from "#shared/table/keys.ts";
import type { Item } from "#shared/table/repo.ts";
import { queryUserRange, type User, UserItem, userKeys } from "./users.ts";

export const loginSessionKeys = {
  loginSession: (tenantId: string, userId: number, jti: string): Key => ({
    PK: tenantPk(tenantId),
    SK: `${userKeys.user(tenantId, userId).SK}#SESSION#${jti}`,
  }),
  /** A revoked token's marker. */
  revokedToken: (tenantId: string, jti: string): Key => ({ PK: tenantPk(tenantId), SK: `REVOKED#${jti}` }),
} as const;

/** Stored as `type: "Session"` (the name items were first written with). */
export const LoginSessionItem = z.object({
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
export type LoginSession = z.infer<typeof LoginSessionItem>;

export const parseLoginSession = (item: Item): LoginSession => LoginSessionItem.parse(item);

export const newLoginSessionId = (userId: number): string => `${userId}.${randomUUID()}`;

/** The user id a login session id was minted for, or undefined for tokens minted without one. */
export function loginSessionOwner(jti: string): number | undefined {
  const m = jti.match(/^(\d{1,10})\.[0-9a-f-]{36}$/);
  return m ? Number(m[1]) : undefined;
}

/** DynamoDB's TTL deletes late: an item past its expiry is not a live login session. */
export const isLive = (s: Pick<LoginSession, "expiresAt">, now = Date.now()): boolean => s.expiresAt * 1000 > now;

export function liveLoginSessions(loginSessions: LoginSession[], now = Date.now()): LoginSession[] {
  return loginSessions.filter((s) => isLive(s, now)).sort((a, b) => a.issuedAt.localeCompare(b.issuedAt));
}

export function loginSessionPut(s: Omit<LoginSession, "type">) {
  return {
    Put: {
      TableName: tableName,
      Item: { ...loginSessionKeys.loginSession(s.tenantId, s.userId, s.jti), type: "Session", ...s },
    },
  };
}

/** The token's revocation marker, kept until the token would have expired anyway. */
export function revokedMarkerPut(tenantId: string, jti: string, exp: number) {
  return {
    Put: {
      TableName: tableName,
      Item: { ...loginSessionKeys.revokedToken(tenantId, jti), type: "RevokedToken", expiresAt: exp },
    },
  };
}

export function loginSessionDelete(tenantId: string, userId: number, jti: string) {
  return { Delete: { TableName: tableName, Key: loginSessionKeys.loginSession(tenantId, userId, jti) } };
}

/** Transaction items ending a login session: its token is refused from the next request on. */
export function endLoginSessionItems(s: LoginSession) {
  return [revokedMarkerPut(s.tenantId, s.jti, s.expiresAt), loginSessionDelete(s.tenantId, s.userId, s.jti)];
}

export interface UserWithLoginSessions {
  user: User;
  loginSessions: LoginSession[];
}

/** Splits a `USER#` query's items into users and their login sessions (other item types are ignored). */
function groupUsers(items: Item[]): UserWithLoginSessions[] {
  const out: UserWithLoginSessions[] = [];
  const byId = new Map<number, UserWithLoginSessions>();
  for (const item of items) {
    if (item.type === "User") {
      const entry = { user: UserItem.parse(item), loginSessions: [] };
      byId.set(entry.user.id, entry);
      out.push(entry);
    } else if (item.type === "Session") {
      const s = parseLoginSession(item);
      byId.get(s.userId)?.loginSessions.push(s);
    }
  }
  return out;
}

/** Every user of a tenant with their login sessions: one Query. */
export async function listUsersWithLoginSessions(
  tenantId: string,
  consistent = false,
): Promise<UserWithLoginSessions[]> {
  return groupUsers(await queryUserRange(tenantId, consistent));
}

/** One user with their login sessions, in one Query. */
export async function getUserWithLoginSessions(
  tenantId: string,
  userId: number,
  consistent = false,
): Promise<UserWithLoginSessions | undefined> {
  return groupUsers(await queryUserRange(tenantId, consistent, userId)).find((u) => u.user.id === userId);
}
