/**
 * The build's stand-in for a Node built-in (infra/build.ts `lazyBuiltin`): the built-in is loaded on
 * the first read of an export, not at import; a plain function read early loads it only when called;
 * and esbuild's interop (`__toESM`, reproduced here as esbuild emits it) copies nothing from it yet
 * still reaches every export. The stand-in's code is evaluated with a counting `require`.
 */
import zlib from "node:zlib";
import { describe, expect, it } from "vitest";
import { lazyBuiltin } from "#infra/build.ts";

function standIn(name: string) {
  const loads: string[] = [];
  const module = { exports: {} as Record<string, unknown> };
  const require = (id: string) => {
    loads.push(id);
    return id === "node:zlib" ? zlib : undefined;
  };
  new Function("module", "require", lazyBuiltin(name))(module, require);
  return { exports: module.exports, loads };
}

// esbuild's `__toESM(mod, 1)` for an importer in Node mode (the helper esbuild writes into each bundle).
const toEsm = (mod: object): Record<string, unknown> => {
  const target = Object.create(Object.getPrototypeOf(mod));
  Object.defineProperty(target, "default", { value: mod, enumerable: true });
  for (const key of Object.getOwnPropertyNames(mod)) {
    Object.defineProperty(target, key, { get: () => (mod as Record<string, unknown>)[key], enumerable: true });
  }
  return target;
};

describe("a built-in's stand-in in a function bundle", () => {
  it("loads nothing at import, has no own names to copy, and loads the built-in on the first read", () => {
    const { exports, loads } = standIn("zlib");
    const ns = toEsm(exports);

    expect(loads).toEqual([]);
    expect(Object.getOwnPropertyNames(exports)).toEqual([]);
    expect(ns.__esModule).toBeUndefined();
    expect(loads).toEqual([]);

    expect(ns.constants).toBe(zlib.constants);
    expect((ns.default as Record<string, unknown>).codes).toBe((zlib as unknown as Record<string, unknown>).codes);
    expect(loads).toEqual(["node:zlib"]);
  });

  it("stands in for a plain function read at module scope until it is called", () => {
    const { exports, loads } = standIn("zlib");
    const ns = toEsm(exports);

    const crc32 = ns.crc32 as (data: string) => number;
    expect(crc32).toBe(ns.crc32);
    expect(loads).toEqual([]);

    expect(crc32("warden")).toBe(zlib.crc32("warden"));
    expect(loads).toEqual(["node:zlib"]);
  });

  it("writes an assignment through to the built-in", () => {
    const { exports } = standIn("zlib");
    const ns = toEsm(exports);
    const before = (zlib as unknown as Record<string, unknown>).wardenProbe;

    (exports as Record<string, unknown>).wardenProbe = 1;

    expect((zlib as unknown as Record<string, unknown>).wardenProbe).toBe(1);
    expect(ns.wardenProbe).toBe(1);
    (zlib as unknown as Record<string, unknown>).wardenProbe = before;
  });
});
