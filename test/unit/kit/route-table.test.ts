/**
 * The route table is the single source of truth: every row's module exists and exports the endpoint
 * of exactly that row's route (a module and its row cannot drift apart), every handler module has a
 * row (or is a worker), and the spec's contract of one route per method and path holds.
 */
import { readdirSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { loadEndpoint } from "#infra/local/route-handlers.ts";
import { routes } from "#infra/routes.ts";
import { workers } from "#infra/workers.ts";
import { routeKey } from "#shared/kit/route.ts";

const root = resolve(import.meta.dirname, "../../..");

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith(".ts") ? [relative(root, p)] : [];
  });
}

describe("route table", () => {
  it("has one row per method and path", () => {
    const keys = routes.map(routeKey);
    expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]);
  });

  it("points every row at a module whose endpoint serves that very route", async () => {
    for (const r of routes) {
      const endpoint = await loadEndpoint(root, r.handler);
      expect(endpoint.key, r.handler).toBe(routeKey(r));
      expect(typeof endpoint.lambda(r), routeKey(r)).toBe("function");
    }
  });

  it("refuses to bind an endpoint to another route's row", async () => {
    const [first, second] = routes;
    if (!first || !second) throw new Error("the route table is empty");
    const endpoint = await loadEndpoint(root, first.handler);
    expect(() => endpoint.lambda(second)).toThrow(/was given the row of/);
  });

  it("has a row (or a worker) for every handler module under functions/", () => {
    const declared = new Set([...routes.map((r) => r.handler), ...workers.map((w) => w.handler)]);
    const orphans = walk(join(root, "functions")).filter((f) => !declared.has(f));
    expect(orphans).toEqual([]);
  });

  it("declares a permission (or explicitly none) and an audit event for every mutating route", () => {
    for (const r of routes) {
      expect(
        r.permission === null || /^(\*|authenticated|[a-z0-9_-]+:[a-z0-9_*-]+)$/.test(r.permission),
        routeKey(r),
      ).toBe(true);
      if (["POST", "PUT", "PATCH", "DELETE"].includes(r.method) && !r.changesNothing)
        expect(r.audit, `${routeKey(r)} has no audit event`).toBeDefined();
    }
  });
});
