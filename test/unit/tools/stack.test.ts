/**
 * The stack mapper: a function runs without `--enable-source-maps`, so its logged stack names
 * minified positions; `npm run stack` turns them back into TypeScript sources with the .map files
 * shipped beside the bundle. Built here as the functions are (esbuild, minified ESM, external map
 * without sources), thrown in a fresh Node process, logged as the kit logs (JSON), then mapped.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mapStack } from "#tools/stack.ts";

describe("npm run stack: a logged minified stack mapped to the sources", () => {
  const dir = mkdtempSync(join(tmpdir(), "warden-stack-"));
  const fnDir = join(dir, "dist", "fn");
  let logged = "";

  beforeAll(async () => {
    mkdirSync(join(dir, "src"));
    writeFileSync(
      join(dir, "src", "rules.ts"),
      [
        "export function checkLimit(n: number): number {",
        "  if (n > 3) {",
        '    throw new Error("over the limit");',
        "  }",
        "  return n;",
        "}",
        "",
      ].join("\n"),
    );
    writeFileSync(
      join(dir, "src", "handler.ts"),
      [
        'import { checkLimit } from "./rules.ts";',
        "",
        "export const handler = (n: number) => checkLimit(n) * 2;",
        "",
      ].join("\n"),
    );
    await build({
      entryPoints: [join(dir, "src", "handler.ts")],
      outfile: join(fnDir, "index.mjs"),
      bundle: true,
      format: "esm",
      platform: "node",
      minify: true,
      sourcemap: true,
      sourcesContent: false,
      logLevel: "silent",
    });
    // Thrown in a fresh process without source maps, as a deployed function does; logged as JSON.
    const script = `try { (await import(${JSON.stringify(join(fnDir, "index.mjs"))})).handler(5) } catch (e) { process.stdout.write(JSON.stringify({ level: "error", err: { stack: e.stack } })) }`;
    logged = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
      env: { ...process.env, NODE_OPTIONS: "" },
    }).toString();
    // Where Lambda unpacks the code package.
    logged = logged.replaceAll(`file://${fnDir}/`, "file:///var/task/");
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("names the source file and line of the throw and of its caller", () => {
    expect(logged).toMatch(/file:\/\/\/var\/task\/index\.mjs:1:\d+/);
    expect(logged).not.toContain("rules.ts");

    const mapped = mapStack(logged, fnDir, dir);

    expect(mapped).toMatch(/src\/rules\.ts:3:\d+/);
    expect(mapped).toMatch(/src\/handler\.ts:3:\d+/);
    expect(mapped).not.toContain("index.mjs:1:");
    // The surrounding log line is left as it was: still JSON.
    expect(JSON.parse(mapped).err.stack).toContain("over the limit");
  });

  it("leaves frames it has no map for unchanged", () => {
    const line =
      "    at x (file:///var/task/sdk/client-dynamodb.mjs:1:200)\n    at node:internal/process/task_queues:95:5";

    expect(mapStack(line, fnDir, dir)).toBe(line);
  });
});
