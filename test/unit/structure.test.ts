/**
 * The layout's rules hold over the real import graph (STYLE.md "Which way imports point"): no
 * rule broken, no import cycle, no key string outside an area's db/ — and each check fires on a
 * deliberate violation, so a green run means something. Biome's noRestrictedImports (biome.json)
 * enforces the path rules in the editor and in `npm run lint`; this file proves it refuses them.
 */
import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { cycles, type ImportEdge, importGraph, importsOf, keyLiterals, ruleFor, violations } from "#tools/structure.ts";

const root = resolve(import.meta.dirname, "../..");
const run = promisify(execFile);
const edge = (from: string, to: string): ImportEdge => ({ from, to, typeOnly: false, line: 1 });

describe("the repository's import graph", () => {
  const graph = importGraph(root);

  it("breaks no import rule", () => {
    const found = violations(graph).map((v) => `${v.file}:${v.line} → ${v.imports}: ${v.rule}`);
    expect(found).toEqual([]);
    // The graph is real: hundreds of imports were read.
    expect(graph.length).toBeGreaterThan(500);
  });

  it("has no import cycle", () => {
    expect(cycles(graph)).toEqual([]);
  });

  it("writes key strings only in the areas' db/ and in shared/table/", () => {
    expect(keyLiterals(root).map((k) => `${k.file}:${k.line}`)).toEqual([]);
  });
});

describe("each rule fires on a deliberate violation", () => {
  it.each([
    ["functions/gateway/x.ts", "@aws-sdk/client-dynamodb", /never talk to the SDK/],
    ["functions/gateway/x.ts", "shared/identity/db/users.ts", /never an area's db/],
    ["functions/gateway/x.ts", "shared/table/repo.ts", /never import shared\/table/],
    ["functions/gateway/x.ts", "infra/routes.ts", /never import infra/],
    ["shared/identity/users.ts", "shared/fleet/db/gateways.ts", /never their db/],
    ["shared/identity/users.ts", "shared/kit/endpoint.ts", /only kit\/\{errors,log,config,text\}/],
    ["shared/identity/users.ts", "@aws-sdk/lib-dynamodb", /do not talk to the SDK/],
    ["shared/identity/db/users.ts", "shared/fleet/gateways.ts", /db\/ imports only/],
    ["shared/kit/endpoint.ts", "infra/routes.ts", /never imports infra/],
    ["shared/fleet/firewall.ts", "edge/render-nft.ts", /only edge\/contract.ts/],
    ["shared/audit/stats.ts", "shared/reports/security-status.ts", /nothing in shared\/ imports reports/],
    ["shared/kit/errors.ts", "shared/identity/users.ts", /leaves/],
    ["shared/table/repo.ts", "shared/identity/users.ts", /table\/ imports only/],
    ["shared/iot/shadows.ts", "shared/fleet/gateways.ts", /auth\/, crypto\/ and iot\//],
  ])("%s importing %s", (from, to, rule) => {
    expect(ruleFor(edge(from, to))).toMatch(rule);
  });

  it.each([
    ["functions/gateway/x.ts", "shared/identity/users.ts"],
    ["functions/gateway/x.ts", "shared/kit/endpoint.ts"],
    ["shared/identity/users.ts", "shared/identity/db/users.ts"],
    ["shared/identity/users.ts", "shared/tenancy/system-lock.ts"],
    ["shared/identity/db/users.ts", "shared/table/repo.ts"],
    ["shared/reports/security-status.ts", "shared/identity/db/users.ts"],
    ["shared/fleet/shadow-sync.ts", "edge/contract.ts"],
    ["shared/tenancy/adapters/notifier-aws.ts", "@aws-sdk/client-ses"],
  ])("allows %s importing %s", (from, to) => {
    expect(ruleFor(edge(from, to))).toBeUndefined();
  });

  it("finds a cycle, type-only imports included", () => {
    const found = cycles([edge("shared/a/x.ts", "shared/a/y.ts"), edge("shared/a/y.ts", "shared/a/x.ts")]);
    expect(found).toEqual([["shared/a/x.ts", "shared/a/y.ts"]]);
    expect(cycles([edge("shared/a/x.ts", "shared/a/y.ts")])).toEqual([]);
  });

  it("reads static, type-only, re-export and dynamic imports", () => {
    const text = [
      'import { a } from "./a.ts";',
      'import type { B } from "#shared/identity/users.ts";',
      'export { c } from "../c.ts";',
      'const d = await import("#shared/table/repo.ts");',
    ].join("\n");
    expect(importsOf("shared/fleet/x.ts", text).map((e) => e.to)).toEqual([
      "shared/fleet/a.ts",
      "shared/identity/users.ts",
      "shared/c.ts",
      "shared/table/repo.ts",
    ]);
  });

  it("refuses the path rules in Biome too (npm run lint)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "warden-structure-"));
    try {
      await cp(join(root, "biome.json"), join(dir, "biome.json"));
      await mkdir(join(dir, "functions/gateway"), { recursive: true });
      await mkdir(join(dir, "shared/identity"), { recursive: true });
      await writeFile(
        join(dir, "functions/gateway/probe.ts"),
        'import { DynamoDBClient } from "@aws-sdk/client-dynamodb";\nimport { x } from "#shared/identity/db/users.ts";\n\nexport const y = [DynamoDBClient, x];\n',
      );
      await writeFile(
        join(dir, "shared/identity/probe.ts"),
        'import { routes } from "#infra/routes.ts";\n\nexport const y = [routes];\n',
      );
      const out = await run(join(root, "node_modules/.bin/biome"), ["lint", "."], { cwd: dir }).then(
        () => "",
        (e: { stdout?: string; stderr?: string }) => `${e.stdout ?? ""}${e.stderr ?? ""}`,
      );
      expect(out).toMatch(/functions\/gateway\/probe\.ts:1:\d+ lint\/style\/noRestrictedImports/);
      expect(out).toMatch(/functions\/gateway\/probe\.ts:2:\d+ lint\/style\/noRestrictedImports/);
      expect(out).toMatch(/shared\/identity\/probe\.ts:1:\d+ lint\/style\/noRestrictedImports/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
