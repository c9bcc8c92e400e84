/**
 * 2FA sign-in challenges: the short-lived step between a correct password and a code. One item per
 * challenge in the tenant's partition, keyed by the SHA-256 of the challenge token's secret (the
 * token itself is never stored); the item's TTL is the challenge's expiry.
 *
 * Access patterns: create (TransactWrite with the sign-in's other writes), read with the caller's
 * address record (BatchGet), reserve an attempt before checking a code (conditional ADD), consume
 * or drop (Delete).
 */
import * as z from "zod/mini";
import { tableName } from "#shared/table/client.ts";
import { type Key, tenantPk } from "#shared/table/keys.ts";
import { type Item, newItemPut, transact, updateIf } from "#shared/table/repo.ts";

export const challengeKey = (tenantId: string, digest: string): Key => ({
  PK: tenantPk(tenantId),
  SK: `CHALLENGE#${digest}`,
});

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

export const parseChallengeItem = (item: Item | undefined): Challenge | undefined =>
  item ? ChallengeItem.parse(item) : undefined;

/** The transaction item creating a challenge. */
export function challengePut(c: Omit<Challenge, "type" | "version">, digest: string) {
  return newItemPut({ ...challengeKey(c.tenantId, digest), type: "TwoFactorChallenge", ...c });
}

/**
 * Takes one of the challenge's `max` attempts before a code is checked, atomically: however many
 * requests race on one challenge, at most `max` codes are ever checked against it. Answers the
 * challenge after the reservation, or undefined when it is used up, expired or gone.
 */
export async function reserveChallengeAttempt(
  tenantId: string,
  digest: string,
  max: number,
  nowSeconds: number,
): Promise<Challenge | undefined> {
  const out = await updateIf({
    key: challengeKey(tenantId, digest),
    update: "ADD attempts :one",
    condition: "(attribute_not_exists(attempts) OR attempts < :max) AND expiresAt > :now",
    values: { ":one": 1, ":max": max, ":now": nowSeconds },
  });
  return out ? parseChallengeItem(out) : undefined;
}

/** Drops a challenge (too many wrong codes: the password step must be repeated). */
export async function deleteChallenge(tenantId: string, digest: string): Promise<void> {
  await transact([{ Delete: { TableName: tableName, Key: challengeKey(tenantId, digest) } }]);
}

/** The transaction item consuming a challenge with the sign-in it completes: it answers once. */
export function challengeConsume(tenantId: string, digest: string) {
  return {
    Delete: { TableName: tableName, Key: challengeKey(tenantId, digest), ConditionExpression: "attribute_exists(PK)" },
  };
}
