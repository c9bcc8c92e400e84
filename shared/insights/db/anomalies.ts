/**
 * Anomalies found by scoring ingested gateway metrics with the tenant's active model, kept with
 * the events' retention (`expiresAt`):
 *
 *   T#<t>#ANOMALY / <timestamp>#<gateway>#<id>    one anomalous sample
 *
 * Access patterns: add one (PutItem), list newest first, one page at a time (Query on the
 * partition, descending, tenant-checked cursor) within a time window (SK between), optionally one
 * gateway's (a filter: a page may then hold fewer than `limit`); the confidences of every anomaly
 * of a window (the same Query projecting one attribute, every page: for the dashboards' counts).
 */
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "zod/mini";
import { db, tableName } from "#shared/table/client.ts";
import { pad, tenantPk } from "#shared/table/keys.ts";
import { type Page, queryAll, queryPage } from "#shared/table/repo.ts";

const pk = (tenantId: string) => `${tenantPk(tenantId)}#ANOMALY`;

export const AnomalyItem = z.object({
  id: z.string(),
  gatewayId: z.number(),
  timestamp: z.string(),
  modelId: z.string(),
  anomalyScore: z.number(),
  confidence: z.number(),
  featuresContributing: z.array(z.string()),
  values: z.record(z.string(), z.number()),
  detectedAt: z.string(),
});
export type Anomaly = z.infer<typeof AnomalyItem>;

export async function putAnomaly(tenantId: string, a: Anomaly, expiresAt: number): Promise<void> {
  await db.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        PK: pk(tenantId),
        SK: `${a.timestamp}#${pad(a.gatewayId)}#${a.id}`,
        type: "Anomaly",
        ...a,
        expiresAt,
      },
    }),
  );
}

export async function anomalyPage(
  tenantId: string,
  q: { from: string; to: string; limit: number; cursor: string | null; gatewayId?: number },
): Promise<Page<Anomaly>> {
  const page = await queryPage({
    ...(q.gatewayId !== undefined
      ? {
          filter: {
            FilterExpression: "#gw = :gw",
            ExpressionAttributeNames: { "#gw": "gatewayId" },
            ExpressionAttributeValues: { ":gw": q.gatewayId },
          },
        }
      : {}),
    tenantId,
    pk: pk(tenantId),
    skBetween: [q.from, `${q.to}~`],
    descending: true,
    limit: q.limit,
    cursor: q.cursor,
  });
  return { items: page.items.map((i) => AnomalyItem.parse(i)), cursor: page.cursor };
}

/** Every anomaly of a window (bounded), newest first: for the findings. */
export async function anomaliesBetween(tenantId: string, from: string, to: string, max = 2000): Promise<Anomaly[]> {
  const out: Anomaly[] = [];
  let cursor: string | null = null;
  do {
    const page: Page<Anomaly> = await anomalyPage(tenantId, { from, to, limit: 500, cursor });
    out.push(...page.items);
    cursor = page.cursor;
  } while (cursor && out.length < max);
  return out;
}

/** The confidence of every anomaly detected between `from` and `to` (one attribute per item, all pages). */
export async function anomalyConfidences(tenantId: string, from: string, to: string): Promise<number[]> {
  const items = await queryAll(
    { tenantId, pk: pk(tenantId), skBetween: [from, `${to}~`], attributes: ["confidence"] },
    Number.POSITIVE_INFINITY,
  );
  return items.flatMap((item) => (typeof item.confidence === "number" ? [item.confidence] : []));
}
