/**
 * Custom roles: a tenant's own named permission sets, next to the built-in ones. One item per role
 * in the tenant's partition (`ROLE#<name>`).
 *
 * Access patterns: get one (GetItem), list a tenant's (Query begins_with `ROLE#`), create (PutItem, unique name).
 */
import * as z from "zod/mini";
import { type Key, tenantPk } from "#shared/table/keys.ts";
import { getItem, type Item, putNew, queryAll } from "#shared/table/repo.ts";

export const RoleItem = z.object({
  type: z.literal("Role"),
  tenantId: z.string(),
  name: z.string(),
  description: z._default(z.string(), ""),
  permissions: z.array(z.string()),
  createdAt: z.string(),
  createdBy: z._default(z.nullable(z.string()), null),
  version: z.number(),
});
export type CustomRole = z.infer<typeof RoleItem>;

const ROLE_PREFIX = "ROLE#";
export const roleKey = (tenantId: string, name: string): Key => ({
  PK: tenantPk(tenantId),
  SK: `${ROLE_PREFIX}${name}`,
});

const parseRole = (item: Item | undefined): CustomRole | undefined => (item ? RoleItem.parse(item) : undefined);

export async function getCustomRole(tenantId: string, name: string): Promise<CustomRole | undefined> {
  return parseRole(await getItem(roleKey(tenantId, name)));
}

export async function listCustomRoles(tenantId: string): Promise<CustomRole[]> {
  const items = await queryAll({ tenantId, pk: tenantPk(tenantId), skBeginsWith: ROLE_PREFIX });
  return items.map((i) => RoleItem.parse(i));
}

export async function putCustomRole(role: Omit<CustomRole, "type" | "version">): Promise<CustomRole> {
  await putNew({ ...roleKey(role.tenantId, role.name), type: "Role", ...role }, `Role '${role.name}'`);
  return { ...role, type: "Role", version: 1 };
}
