/**
 * The tenant (organization) entity: one item per tenant (`T#<tenant>` / `TENANT`), and a global
 * guard on its id (`G#TENANT#<tenant>`) so two organizations cannot share one. The emergency
 * system lock lives on the tenant item.
 *
 * Access patterns: get one (GetItem, or in the BatchGet of a request's authentication), create
 * with its guard (TransactWrite), versioned update (the lock).
 */
import * as z from "zod/mini";
import { type Key, tenantPk } from "#shared/table/keys.ts";
import { getItem, guardPut, type Item, newItemPut, updateVersioned, versionedUpdateItem } from "#shared/table/repo.ts";

export const tenantKeys = {
  tenant: (tenantId: string): Key => ({ PK: tenantPk(tenantId), SK: "TENANT" }),
  /** Tenant id guard, so two organizations cannot share an id. */
  idGuard: (tenantId: string): Key => ({ PK: `G#TENANT#${tenantId}`, SK: "TENANT" }),
} as const;

export const TenantItem = z.object({
  type: z.literal("Tenant"),
  id: z.string(),
  name: z.string(),
  plan: z._default(z.string(), "free"),
  status: z._default(z.enum(["active", "suspended"]), "active"),
  /** Emergency system lock (gateway spec "Lock System"): set while access is locked. */
  lock: z.optional(
    z.nullable(
      z.object({
        lockId: z.string(),
        until: z.string(),
        reason: z.string(),
        components: z.array(z.string()),
        /** scrypt hash of the lock's one-time emergency access code (the break-glass unlock). */
        emergencyCodeHash: z.optional(z.string()),
        /** SSH `enabled` before the lock switched it off; unlock restores it. Absent: SSH untouched. */
        sshWasEnabled: z.optional(z.boolean()),
        /** Gateways whose own SSH override had SSH on; the lock switched them off, unlock switches them on. */
        sshGatewaysWereEnabled: z.optional(z.array(z.number())),
        lockedBy: z.optional(z.string()),
        lockedAt: z.optional(z.string()),
      }),
    ),
  ),
  createdAt: z.string(),
  version: z.number(),
});
export type Tenant = z.infer<typeof TenantItem>;

export const parseTenant = (item: Item | undefined): Tenant | undefined => (item ? TenantItem.parse(item) : undefined);

export async function getTenant(tenantId: string, consistent = false): Promise<Tenant | undefined> {
  return parseTenant(await getItem(tenantKeys.tenant(tenantId), consistent));
}

export function createTenantItems(tenant: { id: string; name: string; plan: string; createdAt: string }) {
  return {
    items: [
      guardPut(tenantKeys.idGuard(tenant.id), { tenantId: tenant.id }),
      newItemPut({ ...tenantKeys.tenant(tenant.id), type: "Tenant", status: "active", ...tenant }),
    ],
    conflicts: [`organization '${tenant.id}' already exists`, `organization '${tenant.id}' already exists`],
  };
}

/** A versioned change of the tenant read at `tenant.version`, as a transaction item. */
export const tenantUpdateItem = (tenant: Pick<Tenant, "id" | "version">, changes: Item) =>
  versionedUpdateItem(tenantKeys.tenant(tenant.id), tenant.version, changes);

/** A versioned change of the tenant read at `tenant.version` (a concurrent change is a 409). */
export async function updateTenantItem(tenant: Pick<Tenant, "id" | "version">, changes: Item): Promise<void> {
  await updateVersioned(tenantKeys.tenant(tenant.id), tenant.version, changes, "Organization");
}
