/**
 * Gateway entity: one item per registered gateway in the tenant's partition, keyed by the
 * per-tenant gateway id (from sequences.ts). The IoT thing, certificate and policy names are recorded so that
 * deregistration can undo exactly what registration made. No private key is ever stored.
 *
 * Access patterns: get one (GetItem), list a tenant's fleet (Query begins_with `GATEWAY#`),
 * mark a gateway seen (UpdateItem, conditional on the gateway existing: the ingest's ownership check).
 */
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "zod/mini";
import { db, tableName } from "#shared/table/client.ts";
import { pad, tenantPk } from "#shared/table/keys.ts";
import { batchGet, deletePut, getItem, type Item, newItemPut, queryAll, transact } from "#shared/table/repo.ts";

export const gatewayKeys = {
  gateway: (tenantId: string, gatewayId: number) => ({ PK: tenantPk(tenantId), SK: `GATEWAY#${pad(gatewayId)}` }),
  prefix: "GATEWAY#",
};

export const GatewayItem = z.object({
  tenantId: z.string(),
  id: z.number(),
  name: z.string(),
  description: z._default(z.string(), ""),
  location: z._default(z.string(), ""),
  thingName: z.string(),
  thingArn: z._default(z.string(), ""),
  certificateId: z.string(),
  certificateArn: z.string(),
  policyName: z.string(),
  createdAt: z.string(),
  createdBy: z._default(z.string(), ""),
  lastSeen: z.optional(z.string()),
  /** The last metrics sample the gateway published (a small summary). */
  lastMetrics: z.optional(z.record(z.string(), z.unknown())),
});

export type Gateway = z.infer<typeof GatewayItem>;

export function parseGateway(item: Item): Gateway {
  return GatewayItem.parse(item);
}

export async function getGateway(
  tenantId: string,
  gatewayId: number,
  consistent = false,
): Promise<Gateway | undefined> {
  const item = await getItem(gatewayKeys.gateway(tenantId, gatewayId), consistent);
  return item ? parseGateway(item) : undefined;
}

/** The gateways of `ids` that exist (one BatchGet, at most 100 ids), in the order of `ids`. */
export async function getGateways(tenantId: string, ids: number[]): Promise<Gateway[]> {
  const items = await batchGet(
    ids.map((id) => gatewayKeys.gateway(tenantId, id)),
    true,
  );
  return items.filter((i): i is Item => i !== undefined).map(parseGateway);
}

export async function listGateways(tenantId: string): Promise<Gateway[]> {
  const items = await queryAll({
    tenantId,
    pk: tenantPk(tenantId),
    skBeginsWith: gatewayKeys.prefix,
    consistent: true,
  });
  return items.filter((i) => i.type === "Gateway").map(parseGateway);
}

export async function putGateway(g: Gateway): Promise<void> {
  await transact(
    [newItemPut({ ...gatewayKeys.gateway(g.tenantId, g.id), type: "Gateway", ...g })],
    [`gateway ${g.id} already exists`],
  );
}

export async function deleteGatewayItem(tenantId: string, gatewayId: number): Promise<void> {
  await transact([deletePut(gatewayKeys.gateway(tenantId, gatewayId))]);
}

/**
 * Records that a gateway was heard from. False when the tenant has no such gateway (the condition
 * is the ingest's check that the thing belongs to the tenant it published under).
 */
export async function markSeen(
  tenantId: string,
  gatewayId: number,
  at: string,
  metrics?: Record<string, unknown>,
): Promise<boolean> {
  try {
    await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: gatewayKeys.gateway(tenantId, gatewayId),
        UpdateExpression: metrics ? "SET #seen = :at, #metrics = :m" : "SET #seen = :at",
        ConditionExpression: "attribute_exists(PK) AND (attribute_not_exists(#seen) OR #seen <= :at)",
        ExpressionAttributeNames: { "#seen": "lastSeen", ...(metrics ? { "#metrics": "lastMetrics" } : {}) },
        ExpressionAttributeValues: { ":at": at, ...(metrics ? { ":m": metrics } : {}) },
      }),
    );
    return true;
  } catch (e) {
    if ((e as { name?: string }).name === "ConditionalCheckFailedException") {
      // Either unknown, or an older sample arriving late: only the former means "not this tenant's".
      return (await getItem(gatewayKeys.gateway(tenantId, gatewayId))) !== undefined;
    }
    throw e;
  }
}
