/**
 * The tenant (organization) as other areas see it: its type and parser, the key other areas'
 * reads include in their own BatchGet (authentication loads user, token marker and tenant in one
 * call), ids from organization names, and the items that create one.
 */
import { createTenantItems, parseTenant, type Tenant, tenantKeys } from "./db/tenants.ts";

export type { Tenant };
export { createTenantItems, parseTenant };

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
