/**
 * Roles: the built-in ones (shared/auth/permissions.ts) and a tenant's custom roles. Every place
 * that assigns a role (user create/update, register) resolves it here, and nobody hands out a
 * role or a permission they do not hold themselves.
 */
import {
  BUILT_IN_ROLES,
  coversAll,
  hasPermission,
  PERMISSIONS,
  type RoleDefinition,
} from "#shared/auth/permissions.ts";
import { getCustomRole, listCustomRoles, putCustomRole } from "#shared/identity/db/roles.ts";
import { listUsers } from "#shared/identity/db/users.ts";
import { Conflict, Forbidden, Invalid } from "#shared/kit/errors.ts";
import type { Principal } from "./principal.ts";

/** The "Get Roles" permission groups on the Admin role: the whole catalogue, by resource. */
export const ADMIN_PERMISSION_GROUPS: Readonly<Record<string, readonly string[]>> = PERMISSIONS;

/** Every permission a role can usefully hold, by resource: the catalogue (shared/auth/permissions.ts). */
export const PERMISSION_CATEGORIES: Readonly<Record<string, readonly string[]>> = PERMISSIONS;

/** `*`, `resource:*` or `resource:action`, lowercase. */
export const PERMISSION_PATTERN = /^(\*|[a-z][a-z0-9_-]{0,31}:(\*|[a-z][a-z0-9_-]{0,31}))$/;

/**
 * Refuses, in one 400 naming each, the permissions outside the catalogue: a role or a key holds `*`,
 * `resource:*` of a catalogued resource, or a catalogued `resource:action` — never a string no route
 * checks (it would grant nothing today and silently something tomorrow).
 */
export function assertCatalogued(permissions: readonly string[], loc: (string | number)[]): void {
  const unknown = permissions
    .map((p, i) => ({ p, i }))
    .filter(({ p }) => {
      if (p === "*") return false;
      const [resource, action] = p.split(":");
      const known: readonly string[] | undefined = Object.hasOwn(PERMISSIONS, resource ?? "")
        ? PERMISSIONS[resource as keyof typeof PERMISSIONS]
        : undefined;
      return !known || (action !== "*" && !known.includes(p));
    });
  if (unknown.length === 0) return;
  const names = unknown.map(({ p }) => `'${p}'`).join(", ");
  const msg = (p: string) => `'${p}' is not in the permission catalogue (see permissionCategories of GET roles)`;
  throw new Invalid(
    `${loc.join(".")}: unknown permission${unknown.length > 1 ? "s" : ""} ${names}`,
    unknown.map(({ p, i }) => ({ loc: [...loc, i], msg: msg(p), type: "value_error" })),
  );
}

export interface ResolvedRole extends RoleDefinition {
  /** The value users carry in `role`. */
  id: string;
  custom: boolean;
}

export async function resolveRole(tenantId: string, id: string): Promise<ResolvedRole | undefined> {
  const builtIn = BUILT_IN_ROLES[id];
  if (builtIn) return { ...builtIn, id, custom: false };
  const custom = await getCustomRole(tenantId, id);
  if (!custom) return undefined;
  return {
    id,
    name: custom.name,
    description: custom.description,
    permissions: custom.permissions,
    default: false,
    protected: false,
    custom: true,
  };
}

/** Resolves a role named in a request, or a 400 naming the field. */
export async function requireRole(tenantId: string, id: string, loc: (string | number)[]): Promise<ResolvedRole> {
  const role = await resolveRole(tenantId, id);
  if (!role)
    throw new Invalid(`${loc.join(".")}: unknown role '${id}'`, [
      { loc, msg: `unknown role '${id}'`, type: "value_error" },
    ]);
  return role;
}

export async function knownRoleIds(tenantId: string): Promise<Set<string>> {
  return new Set([...Object.keys(BUILT_IN_ROLES), ...(await listCustomRoles(tenantId)).map((r) => r.name)]);
}

/** What a caller may grant: their permissions, narrowed by their API key's scopes when they use one. */
export function callerCovers(caller: Principal, wanted: readonly string[]): boolean {
  return coversAll(caller.permissions, wanted) && (!caller.apiKey || coversAll(caller.apiKey.scopes, wanted));
}

/** Refuses to assign a role whose permissions the caller lacks ("no promotion beyond yourself"). */
export function assertMayAssignRole(caller: Principal, role: ResolvedRole): void {
  if (!callerCovers(caller, role.permissions)) {
    throw new Forbidden(`Cannot assign role '${role.id}': it has permissions you do not hold`);
  }
}

/**
 * Validates a user's new permission list and refuses a grant the caller may not make. What a user
 * gains — every permission the new list holds that their current one (`held`; nothing for a new
 * user) does not — must be held by the caller themselves: their own effective permissions (the
 * user's list, narrowed by an API key's scopes), never merely the target's role. And nobody widens
 * their own permissions at all, whatever their role allows.
 */
export function assertMayGrantPermissions(
  caller: Principal,
  target: { userId: number | null; held: readonly string[] },
  permissions: readonly string[],
  loc: (string | number)[],
): void {
  permissions.forEach((p, i) => {
    if (!PERMISSION_PATTERN.test(p)) {
      const msg = `'${p}' is not a permission (resource:action)`;
      throw new Invalid(`${[...loc, i].join(".")}: ${msg}`, [{ loc: [...loc, i], msg, type: "value_error" }]);
    }
  });
  const gained = permissions.filter((p) => !hasPermission(target.held, p));
  if (gained.length === 0) return;
  if (target.userId !== null && target.userId === caller.userId) {
    throw new Forbidden(`Cannot widen your own permissions (${gained.map((p) => `'${p}'`).join(", ")})`);
  }
  const missing = gained.filter((p) => !callerCovers(caller, [p]));
  if (missing.length > 0)
    throw new Forbidden(`Cannot grant ${missing.map((p) => `'${p}'`).join(", ")}: you do not hold it`);
}

/** A role as the role routes list it: built-in or custom, with how many users hold it. */
export interface Role {
  id: string;
  name: string;
  description: string;
  permissions: string[];
  userCount: number;
  default: boolean;
  protected: boolean;
  custom: boolean;
  /** The spec's "Get Roles" permission groups, on a role holding `*`. */
  permissionGroups?: Readonly<Record<string, readonly string[]>>;
}

export interface RoleListing {
  roles: Role[];
  permissionCategories: Readonly<Record<string, readonly string[]>>;
}

export async function listRoles(tenantId: string): Promise<RoleListing> {
  const [users, custom] = await Promise.all([listUsers(tenantId), listCustomRoles(tenantId)]);
  const counts = new Map<string, number>();
  for (const u of users) counts.set(u.role, (counts.get(u.role) ?? 0) + 1);
  const builtIn: Role[] = Object.entries(BUILT_IN_ROLES).map(([id, r]) => ({
    id,
    name: r.name,
    description: r.description,
    permissions: r.permissions,
    userCount: counts.get(id) ?? 0,
    default: r.default,
    protected: r.protected,
    custom: false,
    ...(r.permissions.includes("*") ? { permissionGroups: ADMIN_PERMISSION_GROUPS } : {}),
  }));
  const own: Role[] = custom.map((r) => ({
    id: r.name,
    name: r.name,
    description: r.description,
    permissions: r.permissions,
    userCount: counts.get(r.name) ?? 0,
    default: false,
    protected: false,
    custom: true,
  }));
  return { roles: [...builtIn, ...own], permissionCategories: PERMISSION_CATEGORIES };
}

export async function createRole(
  caller: Principal,
  input: { name: string; description?: string; permissions: string[] },
): Promise<Role> {
  if (BUILT_IN_ROLES[input.name]) throw new Conflict(`Role '${input.name}' is a built-in role`);
  const permissions = [...new Set(input.permissions)];
  permissions.forEach((p, i) => {
    if (!PERMISSION_PATTERN.test(p)) {
      const msg = `'${p}' is not a permission (resource:action)`;
      throw new Invalid(`body.permissions.${i}: ${msg}`, [
        { loc: ["body", "permissions", i], msg, type: "value_error" },
      ]);
    }
  });
  assertCatalogued(permissions, ["body", "permissions"]);
  const missing = permissions.filter((p) => !callerCovers(caller, [p]));
  if (missing.length > 0)
    throw new Forbidden(`Cannot grant ${missing.map((p) => `'${p}'`).join(", ")}: you do not hold it`);
  const role = await putCustomRole({
    tenantId: caller.tenantId,
    name: input.name,
    description: input.description ?? "",
    permissions,
    createdAt: new Date().toISOString(),
    createdBy: caller.username,
  });
  return {
    id: role.name,
    name: role.name,
    description: role.description,
    permissions: role.permissions,
    userCount: 0,
    default: false,
    protected: false,
    custom: true,
  };
}

// ---------------------------------------------------------------------------------------------
// Backup and restore

/** The tenant's custom roles as a backup carries them. */
export async function customRoleRecords(
  tenantId: string,
): Promise<{ name: string; description: string; permissions: string[] }[]> {
  return (await listCustomRoles(tenantId)).map((r) => ({
    name: r.name,
    description: r.description,
    permissions: r.permissions,
  }));
}

export interface RoleRestorePlan {
  create: { name: string; description: string; permissions: string[] }[];
  skipped: { name: string; reason: string }[];
}

/**
 * What restoring custom roles would do, checked without writing (the rules of POST /roles): a
 * role missing from the tenant is created; one that exists is kept as it is (roles have no
 * update, and users hold their permissions by copy); built-in names are refused.
 */
export async function planRoleRestore(
  caller: Principal,
  roles: readonly { name: string; description: string; permissions: string[] }[],
  field = "roles",
): Promise<RoleRestorePlan> {
  const plan: RoleRestorePlan = { create: [], skipped: [] };
  for (const [i, r] of roles.entries()) {
    const bad = (loc: (string | number)[], msg: string): never => {
      throw new Invalid(`${[field, i, ...loc].join(".")}: ${msg}`, [
        { loc: ["body", field, i, ...loc], msg, type: "value_error" },
      ]);
    };
    if (BUILT_IN_ROLES[r.name]) bad(["name"], `'${r.name}' is a built-in role`);
    r.permissions.forEach((p, j) => {
      if (!PERMISSION_PATTERN.test(p)) bad(["permissions", j], `'${p}' is not a permission (resource:action)`);
    });
    const missing = r.permissions.filter((p) => !callerCovers(caller, [p]));
    if (missing.length > 0)
      throw new Forbidden(`Cannot grant ${missing.map((p) => `'${p}'`).join(", ")}: you do not hold it`);
    const have = await getCustomRole(caller.tenantId, r.name);
    if (!have) plan.create.push({ ...r, permissions: [...new Set(r.permissions)] });
    else
      plan.skipped.push({
        name: r.name,
        reason:
          JSON.stringify([...have.permissions].sort()) === JSON.stringify([...r.permissions].sort())
            ? "present"
            : "exists with other permissions; kept as it is",
      });
  }
  return plan;
}

export async function applyRoleRestore(caller: Principal, plan: RoleRestorePlan): Promise<number> {
  for (const r of plan.create) await createRole(caller, r);
  return plan.create.length;
}
