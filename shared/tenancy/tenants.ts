/**
 * The tenant (organization) as other areas see it: its type and parser, the key other areas'
 * reads include in their own BatchGet (authentication loads user, token marker and tenant in one
 * call), ids from organization names, and the items that create one.
 */
import { Conflict } from "#shared/kit/errors.ts";
import { createTenantItems, getTenant, parseTenant, type Tenant, tenantKeys, updateTenantItem } from "./db/tenants.ts";

export type { Tenant };
export { createTenantItems, getTenant, parseTenant };

/** The tenant item's key, for a caller that reads it together with its own items. */
export const tenantKey = (tenantId: string) => tenantKeys.tenant(tenantId);

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

/**
 * Sets the tenant's plan (billing decides which; the tenant item carries it so every request's
 * authentication reads it for free). Answers the plan it replaced. A concurrent change of the
 * tenant item (a lock) is retried on the fresh item.
 */
export async function setTenantPlan(tenantId: string, plan: string): Promise<string | undefined> {
  for (let attempt = 0; ; attempt++) {
    const tenant = await getTenant(tenantId, true);
    if (!tenant) return undefined;
    if (tenant.plan === plan) return plan;
    try {
      await updateTenantItem(tenant, { plan });
      return tenant.plan;
    } catch (e) {
      if (!(e instanceof Conflict) || attempt >= 3) throw e;
    }
  }
}
