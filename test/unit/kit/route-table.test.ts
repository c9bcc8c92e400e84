/**
 * The route table is the single source of truth: every row's handler module exists and exports a
 * handler, every handler module has a row (or is a worker), and the spec's contract of one route
 * per method and path holds.
 */
import { readdirSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
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

  it("points every row at a module that exports a handler", async () => {
    for (const r of routes) {
      const mod = (await import(pathToFileURL(join(root, r.handler)).href)) as { handler?: unknown };
      expect(typeof mod.handler, `${routeKey(r)} → ${r.handler}`).toBe("function");
    }
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
