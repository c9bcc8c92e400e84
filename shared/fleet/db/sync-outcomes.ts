/**
 * What the fan-out did for one gateway's named shadow, the last time it tried (fan-out.ts): one item
 * per gateway and shadow, replaced by each later attempt at the same or a newer config version.
 *
 *   T#<tenant> / FLEETSYNC#<area>#<gateway id, padded>
 *     { area, gatewayId, configVersion, outcome: written | superseded | failed, error, executionId, at, retries }
 *
 * Access patterns: record (PutItem conditioned on no newer version recorded, so a late worker of an
 * older change never hides a newer outcome), read a tenant's outcomes (one Query, begins_with
 * `FLEETSYNC#`) or one gateway's (GetItem per shadow), delete with the gateway. The realtime stream
 * sees these items like any other.
 */
import { DeleteCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "zod/mini";
import { db, tableName } from "#shared/table/client.ts";
import { pad, tenantPk } from "#shared/table/keys.ts";
import { batchGet, type Item, queryAll } from "#shared/table/repo.ts";
import type { Area } from "./fleet-config.ts";

const PREFIX = "FLEETSYNC#";

export const syncOutcomeKey = (tenantId: string, area: Area, gatewayId: number) => ({
  PK: tenantPk(tenantId),
  SK: `${PREFIX}${area}#${pad(gatewayId)}`,
});

export const SYNC_OUTCOMES = ["written", "superseded", "failed"] as const;
export type SyncOutcomeKind = (typeof SYNC_OUTCOMES)[number];

export const SyncOutcome = z.object({
  area: z.string(),
  gatewayId: z.number(),
  configVersion: z.number(),
  outcome: z.enum(SYNC_OUTCOMES),
  error: z._default(z.nullable(z.string()), null),
  executionId: z.string(),
  at: z.string(),
  /** Throttled attempts before the write went through. */
  retries: z._default(z.number(), 0),
});
export type SyncOutcome = z.infer<typeof SyncOutcome>;

/**
 * Records an outcome unless one for a newer config version is recorded already (answers false then).
 * An attempt at the same version replaces the previous one (a resync after a failure).
 */
export async function recordSyncOutcome(tenantId: string, o: SyncOutcome): Promise<boolean> {
  try {
    await db.send(
      new PutCommand({
        TableName: tableName,
        Item: { ...syncOutcomeKey(tenantId, o.area as Area, o.gatewayId), type: "FleetSyncOutcome", tenantId, ...o },
        ConditionExpression: "attribute_not_exists(PK) OR configVersion <= :v",
        ExpressionAttributeValues: { ":v": o.configVersion },
      }),
    );
    return true;
  } catch (e) {
    if ((e as { name?: string }).name === "ConditionalCheckFailedException") return false;
    throw e;
  }
}

const parse = (item: Item): SyncOutcome | undefined => {
  const parsed = SyncOutcome.safeParse(item);
  return parsed.success ? parsed.data : undefined;
};

/** Every outcome of a tenant's fleet, by `<area>#<gatewayId>` (one Query). */
export async function tenantSyncOutcomes(tenantId: string): Promise<Map<string, SyncOutcome>> {
  const items = await queryAll({ tenantId, pk: tenantPk(tenantId), skBeginsWith: PREFIX, consistent: true });
  const out = new Map<string, SyncOutcome>();
  for (const item of items) {
    const o = parse(item);
    if (o) out.set(`${o.area}#${o.gatewayId}`, o);
  }
  return out;
}

/** One gateway's outcomes for the given shadows (one BatchGet), by `<area>#<gatewayId>`. */
export async function gatewaySyncOutcomes(
  tenantId: string,
  gatewayId: number,
  areas: readonly Area[],
): Promise<Map<string, SyncOutcome>> {
  const items = await batchGet(
    areas.map((a) => syncOutcomeKey(tenantId, a, gatewayId)),
    true,
  );
  const out = new Map<string, SyncOutcome>();
  for (const item of items) {
    const o = item ? parse(item) : undefined;
    if (o) out.set(`${o.area}#${o.gatewayId}`, o);
  }
  return out;
}

export async function deleteSyncOutcomes(tenantId: string, gatewayId: number, areas: readonly Area[]): Promise<void> {
  await Promise.all(
    areas.map((a) => db.send(new DeleteCommand({ TableName: tableName, Key: syncOutcomeKey(tenantId, a, gatewayId) }))),
  );
}
