/**
 * The certificates area's items, per tenant:
 *
 *   T#<tenant> / CERTSET#<gateway id>         a gateway's certificate settings (versioned) and last renewal
 *   T#<tenant> / CERTINV#<gateway id>         what the gateway reports it serves (public PEMs), latest report
 *   T#<tenant> / CERTDL#<download id>         one-time download of generated material (10 min TTL; key sealed)
 *   T#<tenant> / CERTKEY#<delivery id>        a private key waiting for its one-time delivery to a gateway (sealed)
 *   T#<tenant> / ACME#<directory hash>        the tenant's ACME account on one CA (account key sealed)
 *
 * GSI1: a gateway's settings with auto-renew on carry GSI1PK `CERTAUTORENEW`, GSI1SK
 * `T#<tenant>#G#<gateway id>`: the daily auto-renew job (a platform job, not a request path) reads
 * that one partition instead of scanning.
 *
 * Access patterns: every item is read by its key (GetItem); one-time items are taken with a
 * conditional delete that returns them, so a second use finds nothing. Secrets are envelope-
 * encrypted by the caller (shared/crypto/envelope.ts) before they reach this file.
 */
import { DeleteCommand, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "zod/mini";
import { db, tableName } from "#shared/table/client.ts";
import { tenantPk } from "#shared/table/keys.ts";
import { getItem, putNew, updateVersioned } from "#shared/table/repo.ts";

const key = (tenantId: string, sk: string) => ({ PK: tenantPk(tenantId), SK: sk });

// ── settings ────────────────────────────────────────────────────────────────────────────────

export const LastRenewal = z.object({
  renewalId: z.string(),
  status: z.enum(["running", "succeeded", "failed"]),
  at: z.string(),
  error: z._default(z.nullable(z.string()), null),
});
export type LastRenewal = z.infer<typeof LastRenewal>;

export const CertificateSettingsItem = z.object({
  autoRenew: z._default(z.boolean(), false),
  renewalDaysBeforeExpiry: z._default(z.number(), 30),
  acmeEmail: z._default(z.nullable(z.string()), null),
  /** null: the deployment's default CA (Let's Encrypt; local mode: its pebble). */
  acmeServer: z._default(z.nullable(z.string()), null),
  stagingMode: z._default(z.boolean(), false),
  webrootPath: z._default(z.string(), "/var/www/html"),
  notifyBeforeExpiry: z._default(z.boolean(), true),
  notifyDaysBefore: z._default(z.array(z.number()), [7, 3, 1]),
  keyRotationDays: z._default(z.number(), 90),
  lastRenewal: z._default(z.nullable(LastRenewal), null),
  /** The notices already sent, `<slot>:<fingerprint>:<days>`, so a day's notice goes out once. */
  noticesSent: z._default(z.array(z.string()), []),
  version: z._default(z.number(), 0),
});
export type CertificateSettingsItem = z.infer<typeof CertificateSettingsItem>;

const settingsKey = (tenantId: string, gatewayId: number) => key(tenantId, `CERTSET#${gatewayId}`);

export async function getCertificateSettings(tenantId: string, gatewayId: number): Promise<CertificateSettingsItem> {
  return CertificateSettingsItem.parse((await getItem(settingsKey(tenantId, gatewayId), true)) ?? {});
}

const AUTO_RENEW_PK = "CERTAUTORENEW";
const autoRenewIndex = (tenantId: string, gatewayId: number, on: boolean) =>
  on ? { GSI1PK: AUTO_RENEW_PK, GSI1SK: `T#${tenantId}#G#${gatewayId}` } : { GSI1PK: undefined, GSI1SK: undefined };

export async function saveCertificateSettings(
  tenantId: string,
  gatewayId: number,
  version: number,
  settings: Partial<Omit<CertificateSettingsItem, "version">>,
): Promise<void> {
  const updatedAt = new Date().toISOString();
  const changes =
    settings.autoRenew === undefined
      ? settings
      : { ...settings, ...autoRenewIndex(tenantId, gatewayId, settings.autoRenew) };
  if (version === 0) {
    const fields = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
    await putNew(
      { ...settingsKey(tenantId, gatewayId), type: "CertificateSettings", gatewayId, ...fields, updatedAt },
      "certificate settings",
    );
    return;
  }
  await updateVersioned(settingsKey(tenantId, gatewayId), version, { ...changes, updatedAt }, "certificate settings");
}

export async function deleteCertificateItems(tenantId: string, gatewayId: number): Promise<void> {
  for (const sk of [`CERTSET#${gatewayId}`, `CERTINV#${gatewayId}`]) {
    await db.send(new DeleteCommand({ TableName: tableName, Key: key(tenantId, sk) }));
  }
}

// ── inventory ───────────────────────────────────────────────────────────────────────────────

export const InventoryItem = z.object({
  reportedAt: z.string(),
  certificates: z.array(
    z.object({
      slot: z.enum(["https", "mqtt"]),
      certificate: z.string(),
      chain: z.optional(z.string()),
      installedAt: z.optional(z.string()),
    }),
  ),
  clientCertificates: z._default(z.array(z.object({ name: z.string(), certificate: z.string() })), []),
});
export type InventoryItem = z.infer<typeof InventoryItem>;

const inventoryKey = (tenantId: string, gatewayId: number) => key(tenantId, `CERTINV#${gatewayId}`);

export async function getInventory(tenantId: string, gatewayId: number): Promise<InventoryItem | undefined> {
  const item = await getItem(inventoryKey(tenantId, gatewayId));
  return item ? InventoryItem.parse(item) : undefined;
}

/** Keeps the newer report only (reports can arrive out of order). */
export async function putInventory(tenantId: string, gatewayId: number, inv: InventoryItem): Promise<void> {
  await db
    .send(
      new PutCommand({
        TableName: tableName,
        Item: { ...inventoryKey(tenantId, gatewayId), type: "CertificateInventory", gatewayId, ...inv },
        ConditionExpression: "attribute_not_exists(PK) OR reportedAt <= :at",
        ExpressionAttributeValues: { ":at": inv.reportedAt },
      }),
    )
    .catch((e: { name?: string }) => {
      if (e.name !== "ConditionalCheckFailedException") throw e;
    });
}

// ── one-time items (downloads, key deliveries) ──────────────────────────────────────────────

export const OneTimeItem = z.object({
  kind: z.string(),
  gatewayId: z.optional(z.number()),
  /** Public material in clear, or a sealed private key (envelope). */
  content: z.string(),
  sealed: z.boolean(),
  /** Who may fetch it (downloads: the user who generated it). */
  owner: z.optional(z.string()),
  expiresAt: z.number(),
});
export type OneTimeItem = z.infer<typeof OneTimeItem>;

export type OneTimeKind = "CERTDL" | "CERTKEY";

export async function putOneTime(tenantId: string, kind: OneTimeKind, id: string, item: OneTimeItem): Promise<void> {
  await db.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        ...key(tenantId, `${kind}#${id}`),
        type: kind === "CERTDL" ? "CertificateDownload" : "KeyDelivery",
        ...item,
      },
      ConditionExpression: "attribute_not_exists(PK)",
    }),
  );
}

/** Reads without using up (a public download may be fetched until it expires). */
export async function peekOneTime(tenantId: string, kind: OneTimeKind, id: string): Promise<OneTimeItem | undefined> {
  const item = await getItem(key(tenantId, `${kind}#${id}`), true);
  if (!item) return undefined;
  const parsed = OneTimeItem.parse(item);
  return parsed.expiresAt > Date.now() / 1000 ? parsed : undefined;
}

/** Takes the item: the first caller gets it, every later one nothing (and an expired one is gone too). */
export async function takeOneTime(
  tenantId: string,
  kind: OneTimeKind,
  id: string,
  owner?: string,
): Promise<OneTimeItem | undefined> {
  try {
    const out = await db.send(
      new DeleteCommand({
        TableName: tableName,
        Key: key(tenantId, `${kind}#${id}`),
        // Someone else's link is left as it is (and looks absent to them).
        ConditionExpression: `attribute_exists(PK) AND expiresAt > :now${owner === undefined ? "" : " AND #owner = :owner"}`,
        ExpressionAttributeValues: {
          ":now": Math.floor(Date.now() / 1000),
          ...(owner === undefined ? {} : { ":owner": owner }),
        },
        ...(owner === undefined ? {} : { ExpressionAttributeNames: { "#owner": "owner" } }),
        ReturnValues: "ALL_OLD",
      }),
    );
    return out.Attributes ? OneTimeItem.parse(out.Attributes) : undefined;
  } catch (e) {
    if ((e as { name?: string }).name === "ConditionalCheckFailedException") return undefined;
    throw e;
  }
}

// ── ACME accounts ───────────────────────────────────────────────────────────────────────────

export const AcmeAccountItem = z.object({
  directoryUrl: z.string(),
  /** The account's private key, sealed. */
  accountKey: z.string(),
  accountUrl: z.nullable(z.string()),
  email: z.nullable(z.string()),
});
export type AcmeAccountItem = z.infer<typeof AcmeAccountItem>;

const acmeKey = (tenantId: string, directoryHash: string) => key(tenantId, `ACME#${directoryHash}`);

export async function getAcmeAccount(tenantId: string, directoryHash: string): Promise<AcmeAccountItem | undefined> {
  const item = await getItem(acmeKey(tenantId, directoryHash), true);
  return item ? AcmeAccountItem.parse(item) : undefined;
}

export async function putAcmeAccount(tenantId: string, directoryHash: string, a: AcmeAccountItem): Promise<void> {
  await db.send(
    new PutCommand({ TableName: tableName, Item: { ...acmeKey(tenantId, directoryHash), type: "AcmeAccount", ...a } }),
  );
}

/** Every gateway with auto-renew on (all tenants), page by page: `{tenantId, gatewayId}`. */
export async function* autoRenewGateways(): AsyncGenerator<{ tenantId: string; gatewayId: number }> {
  let cursor: Record<string, unknown> | undefined;
  do {
    const out = await db.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: "GSI1",
        KeyConditionExpression: "GSI1PK = :pk",
        ExpressionAttributeValues: { ":pk": AUTO_RENEW_PK },
        ExclusiveStartKey: cursor,
      }),
    );
    for (const item of out.Items ?? []) {
      const m = /^T#(.+)#G#(\d+)$/.exec(String(item.GSI1SK));
      if (m?.[1] && m[2]) yield { tenantId: m[1], gatewayId: Number(m[2]) };
    }
    cursor = out.LastEvaluatedKey;
  } while (cursor);
}
