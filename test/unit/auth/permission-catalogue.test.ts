/**
 * One permission catalogue, held to the route table: the permissions the routes check are the
 * catalogue, every built-in role holds only permissions some route checks, and admin holds every
 * route's permission. Derived from infra/routes.ts, so a new route (any area's) is covered the day
 * it lands — a permission it introduces must be catalogued before its roles can grant it.
 */
import { describe, expect, it } from "vitest";
import { routes } from "#infra/routes.ts";
import { AUTHENTICATED, allPermissions, BUILT_IN_ROLES, grants, hasPermission } from "#shared/auth/permissions.ts";
import type { RouteDef } from "#shared/kit/route.ts";

const ALL_PERMISSIONS = allPermissions();
const checked = (table: RouteDef[]) =>
  [...new Set(table.map((r) => r.permission).filter((p): p is string => p !== null && p !== AUTHENTICATED))].sort();

describe("the permission catalogue", () => {
  it("is exactly the set of permissions the routes check", () => {
    const fromRoutes = checked(routes);
    expect(fromRoutes.length).toBeGreaterThan(5);
    expect(fromRoutes.filter((p) => !ALL_PERMISSIONS.includes(p as never))).toEqual([]);
    expect(ALL_PERMISSIONS.filter((p) => !fromRoutes.includes(p))).toEqual([]);
  });

  it("lets every built-in role hold only permissions some route checks", () => {
    const fromRoutes = checked(routes);
    for (const [id, role] of Object.entries(BUILT_IN_ROLES)) {
      const useless = role.permissions.filter((p) => p !== "*" && !fromRoutes.some((wanted) => grants(p, wanted)));
      expect(useless, `role ${id}`).toEqual([]);
      expect(
        role.permissions.filter((p) => p !== "*" && !ALL_PERMISSIONS.includes(p as never)),
        `role ${id}`,
      ).toEqual([]);
    }
  });

  it("gives admin every route's permission, and the operator sight of the fleet it operates", () => {
    for (const r of routes.filter((x) => x.permission !== null)) {
      expect(hasPermission(BUILT_IN_ROLES.admin?.permissions ?? [], r.permission ?? ""), `${r.method} ${r.path}`).toBe(
        true,
      );
    }
    const operator = BUILT_IN_ROLES.operator?.permissions ?? [];
    const fleetReads = routes.filter((r) => r.method === "GET" && /\/(gateways|firewall|ssh)\b/.test(r.path));
    expect(fleetReads.length).toBeGreaterThan(3);
    for (const r of fleetReads) expect(hasPermission(operator, r.permission ?? ""), `${r.method} ${r.path}`).toBe(true);
  });

  it("notices a role holding a permission no route checks", () => {
    const fromRoutes = checked(routes);
    expect(fromRoutes.some((wanted) => grants("devices:read", wanted))).toBe(false);
  });
});
