/**
 * The fleet's settings, per tenant and per area (`firewall`, `ssh`, `certificates`), each a
 * versioned set of scopes: the tenant-wide document and one override document per gateway that has
 * overrides (`certificates` has gateway scopes only: certificates belong to one gateway).
 *
 *   T#<tenant> / FLEETCFG#<area>#HEAD               the area's config version (optimistic lock)
 *   T#<tenant> / FLEETCFG#<area>#SCOPE#*            tenant-wide document
 *   T#<tenant> / FLEETCFG#<area>#SCOPE#<gateway>    one gateway's overrides
 *
 * One consistent Query reads the head and every scope of an area. A change writes the scopes it
 * touches and bumps the head's version in one transaction conditioned on the version it read, so
 * two concurrent changes cannot both win (the loser gets a 409 and nothing of it is saved). Each
 * written scope records the config version it was written at, which is the version the affected
 * gateways' shadows will carry.
 */
import * as z from "zod/mini";
import { tableName } from "#shared/table/client.ts";
import { pad, tenantPk } from "#shared/table/keys.ts";
import {
  deletePut,
  getItem,
  type Item,
  newItemPut,
  queryAll,
  transact,
  versionedUpdateItem,
} from "#shared/table/repo.ts";

export type Area = "firewall" | "ssh" | "certificates";
/** "tenant" for the tenant-wide document, or a gateway id for that gateway's overrides. */
export type ScopeId = "tenant" | number;

const scopeSk = (scope: ScopeId) => (scope === "tenant" ? "*" : pad(scope));

export const fleetConfigKeys = {
  head: (tenantId: string, area: Area) => ({ PK: tenantPk(tenantId), SK: `FLEETCFG#${area}#HEAD` }),
  scope: (tenantId: string, area: Area, scope: ScopeId) => ({
    PK: tenantPk(tenantId),
    SK: `FLEETCFG#${area}#SCOPE#${scopeSk(scope)}`,
  }),
  prefix: (area: Area) => `FLEETCFG#${area}#`,
};

const HeadItem = z.object({ type: z.literal("FleetConfigHead"), version: z.number(), updatedAt: z.string() });
const ScopeItem = z.object({
  type: z.literal("FleetConfigScope"),
  scope: z.union([z.literal("tenant"), z.number()]),
  doc: z.unknown(),
  configVersion: z.number(),
  updatedAt: z.string(),
  updatedBy: z._default(z.string(), ""),
});

export interface StoredScope {
  scope: ScopeId;
  /** Parsed by the area's own schema (firewall.ts, ssh.ts). */
  doc: unknown;
  configVersion: number;
  updatedAt: string;
  updatedBy: string;
}

export interface AreaState {
  /** 0 when the area was never changed (defaults apply). */
  version: number;
  updatedAt?: string;
  scopes: StoredScope[];
}

export async function loadArea(tenantId: string, area: Area): Promise<AreaState> {
  const items = await queryAll({
    tenantId,
    pk: tenantPk(tenantId),
    skBeginsWith: fleetConfigKeys.prefix(area),
    consistent: true,
  });
  const state: AreaState = { version: 0, scopes: [] };
  for (const item of items) {
    if (item.type === "FleetConfigHead") {
      const head = HeadItem.parse(item);
      state.version = head.version;
      state.updatedAt = head.updatedAt;
    } else if (item.type === "FleetConfigScope") {
      const s = ScopeItem.parse(item);
      state.scopes.push({
        scope: s.scope,
        doc: s.doc,
        configVersion: s.configVersion,
        updatedAt: s.updatedAt,
        updatedBy: s.updatedBy,
      });
    }
  }
  return state;
}

export interface ScopeWrite {
  scope: ScopeId;
  doc: Record<string, unknown>;
}

/**
 * Saves the given scopes as the next config version of the area, provided nobody changed the
 * area since `expectedVersion` was read. Returns the new config version.
 */
export async function saveScopes(
  tenantId: string,
  area: Area,
  expectedVersion: number,
  writes: ScopeWrite[],
  by: string,
): Promise<number> {
  const now = new Date().toISOString();
  const next = expectedVersion + 1;
  const head = fleetConfigKeys.head(tenantId, area);
  const headWrite =
    expectedVersion === 0
      ? newItemPut({ ...head, type: "FleetConfigHead", updatedAt: now })
      : versionedUpdateItem(head, expectedVersion, { updatedAt: now });
  const scopeWrites = writes.map((w) => ({
    Put: {
      TableName: tableName,
      Item: {
        ...fleetConfigKeys.scope(tenantId, area, w.scope),
        type: "FleetConfigScope",
        tenantId,
        area,
        scope: w.scope,
        doc: w.doc,
        configVersion: next,
        updatedAt: now,
        updatedBy: by,
      } satisfies Item,
    },
  }));
  await transact(
    [headWrite, ...scopeWrites],
    [
      `The ${area} configuration was changed by another request (config version ${expectedVersion} is stale); reload and retry`,
    ],
  );
  return next;
}

/** The area's current config version (0 when never changed). */
export async function headVersion(tenantId: string, area: Area): Promise<number> {
  const item = await getItem(fleetConfigKeys.head(tenantId, area), true);
  return item ? HeadItem.parse(item).version : 0;
}

/** Drops a gateway's overrides (when the gateway is deregistered). */
export async function deleteScope(tenantId: string, area: Area, gatewayId: number): Promise<void> {
  await transact([deletePut(fleetConfigKeys.scope(tenantId, area, gatewayId))]);
}
