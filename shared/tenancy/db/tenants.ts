/** The tenant (organization) entity and its id guard. */
import * as z from "zod/mini";
import { keys } from "#shared/table/keys.ts";
import { guardPut, type Item, newItemPut } from "#shared/table/repo.ts";

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

/** Tenant ids are slugs: lowercase letters, digits and single dashes. */
export function tenantSlug(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/[^\w\s-]/g, "")
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 48);
}

export function createTenantItems(tenant: { id: string; name: string; plan: string; createdAt: string }) {
  return {
    items: [
      guardPut(keys.tenantSlug(tenant.id), { tenantId: tenant.id }),
      newItemPut({ ...keys.tenant(tenant.id), type: "Tenant", status: "active", ...tenant }),
    ],
    conflicts: [`organization '${tenant.id}' already exists`, `organization '${tenant.id}' already exists`],
  };
}
