/**
 * 2FA sign-in challenges: the short-lived step between a correct password and a code. One item per
 * challenge in the tenant's partition, keyed by the SHA-256 of the challenge token's secret (the
 * token itself is never stored); the item's TTL is the challenge's expiry.
 *
 * Access patterns: create (TransactWrite with the sign-in's other writes), read with the caller's
 * address record (BatchGet), count a wrong code (versioned UpdateItem), consume or drop (Delete).
 */
import * as z from "zod/mini";
import { tableName } from "#shared/table/client.ts";
import { type Key, tenantPk } from "#shared/table/keys.ts";
import { type Item, newItemPut, transact, updateVersioned } from "#shared/table/repo.ts";

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

/** Counts one wrong code on the challenge read at `challenge.version`. */
export async function countChallengeAttempt(tenantId: string, digest: string, challenge: Challenge): Promise<void> {
  await updateVersioned(
    challengeKey(tenantId, digest),
    challenge.version,
    { attempts: challenge.attempts + 1 },
    "Challenge",
  );
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
