/**
 * The API key entity. One item per key in the tenant's partition (`APIKEY#<id>`) holding the key's
 * HMAC hash (never the key), and one global pointer `G#APIKEY#<hash>` → {tenantId, keyId, userId},
 * because a caller presenting a key has not told us its tenant yet.
 *
 * Usage (count, last use) lives in its own item in the key's rate-limit partition
 * (`T#<tenant>#KEY#<id>#RL`, SK `USAGE`; see tenancy/db/rate-windows.ts): every route, read-only
 * ones included, may already update items there (see infra/constructs/access-policy.ts), and counting a use never touches the
 * key's `version`, so it never conflicts with an admin's edit.
 */
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "zod/mini";
import { db, tableName } from "#shared/table/client.ts";
import { pad, tenantPk } from "#shared/table/keys.ts";
import {
  batchGet,
  getItem,
  guardPut,
  type Item,
  newItemPut,
  queryAll,
  transact,
  versionedUpdateItem,
} from "#shared/table/repo.ts";

export const apiKeyKeys = {
  key: (tenantId: string, keyId: number) => ({ PK: tenantPk(tenantId), SK: `APIKEY#${pad(keyId)}` }),
  prefix: "APIKEY#",
  /** Global pointer from the key's hash to its tenant and owner: the only way in for a bare key. */
  pointer: (hash: string) => ({ PK: `G#APIKEY#${hash}`, SK: "APIKEY" }),
  counter: "apikey",
  /** Same partition as the key's rate windows (`T#<tenant>#KEY#<id>#RL`, tenancy/db/rate-windows.ts). */
  usage: (tenantId: string, keyId: number) => ({ PK: `${tenantPk(tenantId)}#KEY#${keyId}#RL`, SK: "USAGE" }),
} as const;

export const ApiKeyItem = z.object({
  type: z.literal("ApiKey"),
  tenantId: z.string(),
  id: z.number(),
  name: z.string(),
  description: z._default(z.string(), ""),
  /** Display id derived from the per-tenant counter: "AK-009". */
  keyPrefix: z.string(),
  /** The first 8 characters of the key ("sk_9b3e7"), so its holder can recognise it. */
  keyStart: z.string(),
  hash: z.string(),
  scopes: z.array(z.string()),
  userId: z.number(),
  createdBy: z._default(z.nullable(z.number()), null),
  createdAt: z.string(),
  expiresAt: z._default(z.nullable(z.string()), null),
  rateLimit: z.number(),
  ipRestrictions: z._default(z.array(z.string()), []),
  status: z.enum(["active", "revoked"]),
  revokedAt: z._default(z.nullable(z.string()), null),
  revokedReason: z._default(z.nullable(z.string()), null),
  updatedAt: z.string(),
  version: z.number(),
});
export type ApiKey = z.infer<typeof ApiKeyItem>;

export const ApiKeyUsage = z.object({
  usageCount: z._default(z.number(), 0),
  lastUsed: z._default(z.nullable(z.string()), null),
});
export type ApiKeyUsage = z.infer<typeof ApiKeyUsage>;

export const parseUsage = (item: Item | undefined): ApiKeyUsage => ApiKeyUsage.parse(item ?? {});

/** Usage of several keys of one tenant, in the order asked (BatchGetItem, 100 keys per call). */
export async function getUsage(tenantId: string, keyIds: number[]): Promise<ApiKeyUsage[]> {
  const out: ApiKeyUsage[] = [];
  for (let i = 0; i < keyIds.length; i += 100) {
    const items = await batchGet(keyIds.slice(i, i + 100).map((id) => apiKeyKeys.usage(tenantId, id)));
    out.push(...items.map(parseUsage));
  }
  return out;
}

export const ApiKeyPointer = z.object({ tenantId: z.string(), keyId: z.number(), userId: z.number() });
export type ApiKeyPointer = z.infer<typeof ApiKeyPointer>;

export const parseApiKey = (item: Item | undefined): ApiKey | undefined => (item ? ApiKeyItem.parse(item) : undefined);

export async function getApiKey(tenantId: string, keyId: number, consistent = false): Promise<ApiKey | undefined> {
  return parseApiKey(await getItem(apiKeyKeys.key(tenantId, keyId), consistent));
}

export async function listApiKeyItems(tenantId: string): Promise<ApiKey[]> {
  const items = await queryAll({ tenantId, pk: tenantPk(tenantId), skBeginsWith: apiKeyKeys.prefix });
  return items.map((i) => ApiKeyItem.parse(i));
}

export async function findApiKeyPointer(hash: string): Promise<ApiKeyPointer | undefined> {
  const item = await getItem(apiKeyKeys.pointer(hash));
  return item ? ApiKeyPointer.parse(item) : undefined;
}

/** The key item and its pointer, written together or not at all. */
export async function createApiKey(key: Omit<ApiKey, "type" | "version">): Promise<ApiKey> {
  await transact(
    [
      newItemPut({ ...apiKeyKeys.key(key.tenantId, key.id), type: "ApiKey", ...key }),
      guardPut(apiKeyKeys.pointer(key.hash), { tenantId: key.tenantId, keyId: key.id, userId: key.userId }),
    ],
    [`API key ${key.id} already exists`, "API key collision; retry"],
  );
  return { ...key, type: "ApiKey", version: 1 };
}

/** Versioned change of a key's settings (409 when someone else changed it meanwhile). */
export async function updateApiKeyItem(
  key: ApiKey,
  changes: Partial<Omit<ApiKey, "type" | "version">>,
): Promise<ApiKey> {
  await transact(
    [versionedUpdateItem(apiKeyKeys.key(key.tenantId, key.id), key.version, changes)],
    [`API key ${key.id} was changed by another request; reload and retry`],
  );
  return { ...key, ...changes, version: key.version + 1 };
}

/** Moves a key to a new owner: the key item and its pointer change in one transaction. */
export async function reassignApiKey(key: ApiKey, toUserId: number, scopes: string[]): Promise<void> {
  const updatedAt = new Date().toISOString();
  await transact(
    [
      versionedUpdateItem(apiKeyKeys.key(key.tenantId, key.id), key.version, { userId: toUserId, scopes, updatedAt }),
      {
        Update: {
          TableName: tableName,
          Key: apiKeyKeys.pointer(key.hash),
          UpdateExpression: "SET #userId = :to",
          ConditionExpression: "attribute_exists(PK)",
          ExpressionAttributeNames: { "#userId": "userId" },
          ExpressionAttributeValues: { ":to": toUserId },
        },
      },
    ],
    [`API key ${key.id} was changed by another request; reload and retry`, `API key ${key.id} has no pointer`],
  );
}

/** Counts one authenticated use: an atomic ADD, no read, no version bump. */
export async function recordApiKeyUse(tenantId: string, keyId: number, at: string): Promise<void> {
  await db.send(
    new UpdateCommand({
      TableName: tableName,
      Key: apiKeyKeys.usage(tenantId, keyId),
      UpdateExpression: "ADD #usage :one SET #lastUsed = :at, #type = :type",
      ExpressionAttributeNames: { "#usage": "usageCount", "#lastUsed": "lastUsed", "#type": "type" },
      ExpressionAttributeValues: { ":one": 1, ":at": at, ":type": "ApiKeyUsage" },
    }),
  );
}
