/**
 * Bundles the edge handler into ONE file, `dist/edge/warden-edge.mjs`: Node 20+ and the bundle are
 * all a gateway needs (mqtt, zod and the edge code are inside). Run: `npx tsx edge/build.ts`.
 */
import { mkdir, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const EDGE_BUNDLE = join(root, "dist", "edge", "warden-edge.mjs");

export async function buildEdge(outfile: string = EDGE_BUNDLE): Promise<{ outfile: string; bytes: number }> {
  await mkdir(dirname(outfile), { recursive: true });
  await build({
    entryPoints: [join(root, "edge", "main.ts")],
    outfile,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "esm",
    minify: true,
    sourcemap: false,
    legalComments: "none",
    logLevel: "warning",
    // mqtt's CommonJS dependencies call require() for Node built-ins; an ES module has no require.
    banner: {
      js: "import { createRequire as __wardenCreateRequire } from 'node:module'; const require = __wardenCreateRequire(import.meta.url);",
    },
    // Optional native speed-ups of ws (pulled in by mqtt's WebSocket transport), loaded inside try/catch.
    external: ["bufferutil", "utf-8-validate"],
  });
  return { outfile, bytes: (await stat(outfile)).size };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { outfile, bytes } = await buildEdge();
  process.stdout.write(`${outfile} (${(bytes / 1024).toFixed(0)} KB)\n`);
}
