/**
 * Maps a logged stack trace of a deployed function back to the TypeScript sources.
 *
 * Functions run without `--enable-source-maps` (it parses every bundle's source map at each cold
 * start: +19–31 ms CPU per import measured, infra/function-runtime.ts), so a stack in CloudWatch
 * names minified positions (`file:///var/task/index.mjs:1:48213`). The bundles ship their `.map`
 * files beside them: give this tool the function's directory (`dist/functions/<functionId>` of a
 * build of the deployed commit, or the unpacked code package) and the logged text, and every
 * `<file>.mjs:<line>:<column>` whose map is there becomes `<source>:<line>:<column>`. Anything else
 * (JSON around it, frames without a map, such as the pre-bundled SDK's) is printed unchanged.
 *
 *   npm run -s stack -- dist/functions/gateway-users-get < logged.txt
 *   npm run -s stack -- dist/functions/gateway-users-get logged.txt
 */
import { existsSync, readFileSync } from "node:fs";
import { SourceMap } from "node:module";
import { basename, dirname, join, relative, resolve } from "node:path";

/** Where Lambda unpacks a function's code package. */
const TASK_ROOT = "/var/task/";

/** `file:///var/task/sdk/x.mjs:1:2` and `/var/task/index.mjs:1:2` alike; the path is group 1. */
const LOCATION = /(?:file:\/\/)?(\/[^\s"'()]*?\.mjs):(\d+):(\d+)/g;

export function mapStack(text: string, functionDir: string, cwd = process.cwd()): string {
  const maps = new Map<string, SourceMap | undefined>();
  const mapFor = (logged: string): { map: SourceMap; dir: string } | undefined => {
    const inTask = logged.startsWith(TASK_ROOT) ? logged.slice(TASK_ROOT.length) : basename(logged);
    const file = join(functionDir, inTask);
    if (!maps.has(file)) {
      const mapFile = `${file}.map`;
      maps.set(file, existsSync(mapFile) ? new SourceMap(JSON.parse(readFileSync(mapFile, "utf8"))) : undefined);
    }
    const map = maps.get(file);
    return map && { map, dir: dirname(file) };
  };
  return text.replace(LOCATION, (whole, logged: string, line: string, column: string) => {
    const found = mapFor(logged);
    if (!found) return whole;
    // findEntry is zero-based on both sides; a stack's lines and columns are one-based.
    const entry = found.map.findEntry(Number(line) - 1, Number(column) - 1);
    if (!("originalSource" in entry)) return whole;
    const source = relative(cwd, resolve(found.dir, entry.originalSource));
    return `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
  });
}

const runAsScript = process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(import.meta.filename);
if (runAsScript) {
  const [dir, file] = process.argv.slice(2);
  if (!dir || !existsSync(dir)) {
    console.error("usage: npm run -s stack -- <function directory with index.mjs.map> [logged-text-file] (else stdin)");
    process.exit(2);
  }
  const text = readFileSync(file ?? 0, "utf8");
  process.stdout.write(mapStack(text, dir));
}
