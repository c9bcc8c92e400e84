/**
 * Usage counters that plan limits are enforced against, in the tenant's partition:
 *
 *   T#<t> / BILLING#DEVICES         registered gateways (`count`), the device limit's atomic slot counter
 *   T#<t> / USAGE#<yyyy-mm>         the month's scans (`scans`, `gatewayScans`, `cloudScans`) and
 *                                   ingested gateway events (`logs`)
 *
 * Access patterns: take or give back a device slot (one conditional UpdateItem), count a scan (one
 * conditional UpdateItem), add ingested events (UpdateItem ADD), read months (BatchGet).
 */
import { PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "zod/mini";
import { db, tableName } from "#shared/table/client.ts";
import { tenantPk } from "#shared/table/keys.ts";
import { batchGet, getItem } from "#shared/table/repo.ts";

export const usageKeys = {
  devices: (tenantId: string) => ({ PK: tenantPk(tenantId), SK: "BILLING#DEVICES" }),
  month: (tenantId: string, month: string) => ({ PK: tenantPk(tenantId), SK: `USAGE#${month}` }),
};

export const UsageMonthItem = z.object({
  scans: z._default(z.number(), 0),
  gatewayScans: z._default(z.number(), 0),
  cloudScans: z._default(z.number(), 0),
  logs: z._default(z.number(), 0),
  /** Highest registered-device count seen in the month (device-months are billed on it). */
  peakDevices: z._default(z.number(), 0),
});
export type UsageMonth = z.infer<typeof UsageMonthItem>;

const failedCondition = (e: unknown) => (e as { name?: string }).name === "ConditionalCheckFailedException";

export async function deviceCount(tenantId: string, consistent = false): Promise<number | undefined> {
  const item = await getItem(usageKeys.devices(tenantId), consistent);
  return item ? Number(item.count ?? 0) : undefined;
}

/** Starts the device counter at `count` when it does not exist yet (a fleet registered before billing). */
export async function initDeviceCount(tenantId: string, count: number): Promise<void> {
  try {
    await db.send(
      new PutCommand({
        TableName: tableName,
        Item: { ...usageKeys.devices(tenantId), type: "DeviceCount", count },
        ConditionExpression: "attribute_not_exists(PK)",
      }),
    );
  } catch (e) {
    if (!failedCondition(e)) throw e;
  }
}

/**
 * Takes one device slot, atomically: with a `limit`, only while fewer than `limit` are taken (so
 * however many registrations race, no more than `limit` pass). Answers the new count, or undefined
 * when the limit is reached (nothing written).
 */
export async function takeDeviceSlot(tenantId: string, limit: number | null): Promise<number | undefined> {
  try {
    const out = await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: usageKeys.devices(tenantId),
        UpdateExpression: "ADD #count :one SET #type = :type",
        ...(limit === null ? {} : { ConditionExpression: "attribute_not_exists(#count) OR #count < :limit" }),
        ExpressionAttributeNames: { "#count": "count", "#type": "type" },
        ExpressionAttributeValues: {
          ":one": 1,
          ":type": "DeviceCount",
          ...(limit === null ? {} : { ":limit": limit }),
        },
        ReturnValues: "UPDATED_NEW",
      }),
    );
    return Number(out.Attributes?.count ?? 1);
  } catch (e) {
    if (failedCondition(e)) return undefined;
    throw e;
  }
}

/** Gives a slot back (a registration failed after taking it, or a gateway was deregistered). */
export async function releaseDeviceSlot(tenantId: string): Promise<void> {
  try {
    await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: usageKeys.devices(tenantId),
        UpdateExpression: "ADD #count :minus",
        ConditionExpression: "#count > :zero",
        ExpressionAttributeNames: { "#count": "count" },
        ExpressionAttributeValues: { ":minus": -1, ":zero": 0 },
      }),
    );
  } catch (e) {
    if (!failedCondition(e)) throw e;
  }
}

/** Records the month's device peak (for device-month billing): only ever raises it. */
export async function raiseDevicePeak(tenantId: string, month: string, count: number): Promise<void> {
  try {
    await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: usageKeys.month(tenantId, month),
        UpdateExpression: "SET peakDevices = :n, #type = :type",
        ConditionExpression: "attribute_not_exists(peakDevices) OR peakDevices < :n",
        ExpressionAttributeNames: { "#type": "type" },
        ExpressionAttributeValues: { ":n": count, ":type": "UsageMonth" },
      }),
    );
  } catch (e) {
    if (!failedCondition(e)) throw e;
  }
}

/**
 * Counts one scan of the month, atomically: with a `limit`, only while fewer than `limit` were
 * counted. Answers the month's new total, or undefined when the limit is reached.
 */
export async function countScan(
  tenantId: string,
  month: string,
  kind: "gatewayScans" | "cloudScans",
  limit: number | null,
): Promise<number | undefined> {
  try {
    const out = await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: usageKeys.month(tenantId, month),
        UpdateExpression: "ADD scans :one, #kind :one SET #type = :type",
        ...(limit === null ? {} : { ConditionExpression: "attribute_not_exists(scans) OR scans < :limit" }),
        ExpressionAttributeNames: { "#kind": kind, "#type": "type" },
        ExpressionAttributeValues: { ":one": 1, ":type": "UsageMonth", ...(limit === null ? {} : { ":limit": limit }) },
        ReturnValues: "UPDATED_NEW",
      }),
    );
    return Number(out.Attributes?.scans ?? 1);
  } catch (e) {
    if (failedCondition(e)) return undefined;
    throw e;
  }
}

/** Adds ingested gateway events to the month. */
export async function addLogs(tenantId: string, month: string, count: number): Promise<void> {
  await db.send(
    new UpdateCommand({
      TableName: tableName,
      Key: usageKeys.month(tenantId, month),
      UpdateExpression: "ADD logs :n SET #type = :type",
      ExpressionAttributeNames: { "#type": "type" },
      ExpressionAttributeValues: { ":n": count, ":type": "UsageMonth" },
    }),
  );
}

/** The months' counters, in the order asked (a month without activity reads as zeros). */
export async function usageMonths(tenantId: string, months: string[]): Promise<UsageMonth[]> {
  const items = await batchGet(months.map((m) => usageKeys.month(tenantId, m)));
  return items.map((i) => UsageMonthItem.parse(i ?? {}));
}
