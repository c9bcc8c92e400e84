/**
 * One esbuild run over every Lambda entry point (route handlers and workers), one self-contained
 * ESM bundle per function under `dist/functions/<functionId>/index.mjs`, which is what the CDK app
 * deploys with `Code.fromAsset`. `npm run build` runs it; the infra tests call `buildFunctions()`.
 *
 * A route's bundle starts from a small generated entry (see `routeEntry`) that imports the
 * module's `endpoint` and exports `handler = endpoint.lambda(<its row>)`: the row is written into
 * the bundle, in plain sight, instead of the whole route table or an environment variable.
 */
import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { builtinModules } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type BuildOptions, build, type Metafile, type Plugin } from "esbuild";
import { functionId, type RouteDef } from "#shared/kit/route.ts";
import { routes as routeTable } from "./routes.ts";
import { type Worker, workers as workerList } from "./workers.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const DEFAULT_OUTDIR = join(root, "dist", "functions");

export interface Entry {
  functionId: string;
  /** Module path relative to the repository root. */
  handler: string;
  /** An HTTP route's row: its bundle's entry binds the module's endpoint to it. Workers have none. */
  route?: RouteDef;
}

export interface BuiltFunction {
  functionId: string;
  /** Absolute path of the bundle. */
  outfile: string;
  /** Bytes of the bundle's entry and the chunks it imports statically: what every cold start loads. */
  bytes: number;
  /** Bytes of the chunks loaded on first use only (`import()`). */
  lazyBytes: number;
}

/** Every function the app deploys: one per route handler (WebSocket rows included) and per worker. */
export function allEntries(routes: RouteDef[] = routeTable, workers: Worker[] = workerList): Entry[] {
  const byId = new Map<string, Entry>();
  const add = (entry: Entry, owner: string) => {
    const seen = byId.get(entry.functionId);
    if (seen && seen.handler !== entry.handler) {
      throw new Error(`${owner}: function id '${entry.functionId}' is already used by ${seen.handler}`);
    }
    byId.set(entry.functionId, entry);
  };
  for (const r of routes) {
    add({ functionId: functionId(r.handler), handler: r.handler, route: r }, `${r.method} ${r.path}`);
  }
  for (const w of workers) add({ functionId: w.id, handler: w.handler }, `worker ${w.id}`);
  return [...byId.values()];
}

const ENTRY_NAMESPACE = "warden-entry";

/** The generated entry of a route's bundle: its module's endpoint, bound to its row. */
export function routeEntry(handlerPath: string, route: RouteDef): string {
  return [
    `import { endpoint } from ${JSON.stringify(handlerPath)};`,
    `export const handler = endpoint.lambda(${JSON.stringify(route)});`,
  ].join("\n");
}

const LITH_ENTRY = "lambda-lith";

/**
 * The entry of a "lambda-lith": every route's module in one bundle, each endpoint bound to its row,
 * one handler choosing by the event's route key. Not deployed: the bench measures a function's
 * cold start against it (the figure one function per route is meant to beat).
 */
export function lithEntry(entries: Entry[]): string {
  const modules = [...new Set(entries.flatMap((e) => (e.route ? [e.handler] : [])))];
  const name = new Map(modules.map((m, i) => [m, `m${i}`]));
  const rows = entries.flatMap((e) =>
    e.route && e.route.method !== "WEBSOCKET"
      ? [
          `  ${JSON.stringify(`${e.route.method} ${e.route.path}`)}: ${name.get(e.handler)}.endpoint.lambda(${JSON.stringify(e.route)}),`,
        ]
      : [],
  );
  return [
    ...modules.map((m) => `import * as ${name.get(m)} from ${JSON.stringify(join(root, m))};`),
    "const byRouteKey = {",
    ...rows,
    "};",
    "export const handler = (event, context) => {",
    "  const h = byRouteKey[event.routeKey];",
    '  if (!h) throw new Error("no route " + event.routeKey);',
    "  return h(event, context);",
    "};",
  ].join("\n");
}

const routeEntries = (byId: Map<string, Entry>): Plugin => ({
  name: "route-entries",
  setup(b) {
    b.onResolve({ filter: /^warden-entry:/ }, (args) => ({
      path: args.path.slice(ENTRY_NAMESPACE.length + 1),
      namespace: ENTRY_NAMESPACE,
    }));
    b.onLoad({ filter: /.*/, namespace: ENTRY_NAMESPACE }, (args) => {
      if (args.path === LITH_ENTRY) return { loader: "js", resolveDir: root, contents: lithEntry([...byId.values()]) };
      const entry = byId.get(args.path);
      if (!entry?.route) throw new Error(`no route entry for ${args.path}`);
      return { loader: "js", resolveDir: root, contents: routeEntry(join(root, entry.handler), entry.route) };
    });
  },
});

const BUILTINS = new Set(builtinModules);

/**
 * Node built-ins are loaded with `require`, never through an ESM `import`: importing a built-in as
 * ESM builds its ESM facade, which reads every export — and `node:http`'s lazy getters then load
 * undici (a ~60 ms share of a cold start) for a fetch nothing here calls. `require` returns the
 * same module object without touching them; the banner's `createRequire` provides it.
 */
const builtinsViaRequire: Plugin = {
  name: "builtins-via-require",
  setup(b) {
    b.onResolve({ filter: /^(node:)?[a-z_/0-9]+$/ }, (args) => {
      const name = args.path.replace(/^node:/, "");
      if (args.kind === "require-call" || !BUILTINS.has(name)) return undefined;
      return { path: name, namespace: "builtin-cjs" };
    });
    b.onLoad({ filter: /.*/, namespace: "builtin-cjs" }, (args) => ({
      loader: "js",
      contents: `module.exports = require(${JSON.stringify(`node:${args.path}`)});`,
    }));
  },
};

/**
 * pdfkit loads its 14 standard fonts through a `createRequire` call esbuild cannot follow, which
 * breaks in a bundle (ERR_PACKAGE_IMPORT_NOT_DEFINED). Turning those calls into plain `require`
 * lets esbuild resolve pdfkit's own `#standard-fonts/*` imports and inline the font metrics.
 */
const pdfkitFontsInline: Plugin = {
  name: "pdfkit-fonts-inline",
  setup(b) {
    b.onLoad({ filter: /node_modules[\\/]pdfkit[\\/]js[\\/]pdfkit\.(node\.mjs|js)$/ }, async (args) => {
      const source = await readFile(args.path, "utf8");
      return {
        contents: source.replace(/require\$1\((['"])#standard-fonts\//g, "require($1#standard-fonts/"),
        loader: "js",
      };
    });
  },
};

/**
 * Response schemas (`response`, `produces` in a handler's `defineEndpoint` schemas) describe the
 * answer for the tests and the OpenAPI document; the running function never checks them. The
 * bundle leaves them out: the property is dropped from the handler's source as it is loaded, and
 * the schema itself (declared with `responseSchema`, free of side effects) is then tree-shaken.
 */
const responseSchemasLeftOut: Plugin = {
  name: "response-schemas-left-out",
  setup(b) {
    b.onLoad({ filter: /[\\/]functions[\\/].*\.ts$/ }, async (args) => {
      const source = await readFile(args.path, "utf8");
      const prop = String.raw`(?:response|produces):\s*[A-Za-z_$][\w$]*`;
      const contents = source
        .replace(new RegExp(String.raw`,\s*${prop}(?=\s*[,}])`, "g"), "")
        .replace(new RegExp(String.raw`(\{\s*)${prop}\s*,?\s*`, "g"), "$1");
      return { contents, loader: "ts" };
    });
  },
};

/** The module GET /openapi.json takes its document from (a tool module: functions/ holds handlers only). */
export const OPENAPI_DOCUMENT_MODULE = "tools/served-api-document.ts";

/**
 * GET /openapi.json serves the document generated at build time: its document module (tools/served-api-document.ts) is replaced, as
 * it is loaded, by that document as JSON — so the route's bundle carries the document and nothing
 * of the generator, and no other bundle loads the module at all. The document covers the routes of
 * the build (the whole table for a deployment).
 */
const openApiDocumentInlined = (routes: RouteDef[]): Plugin => ({
  name: "openapi-document-inlined",
  setup(b) {
    b.onLoad({ filter: /[\\/]tools[\\/]served-api-document\.ts$/ }, async () => {
      const { buildOpenApiDocument } = await import("#tools/openapi-document.ts");
      const doc = await buildOpenApiDocument(routes, { root });
      return {
        loader: "js",
        contents: `const document = ${JSON.stringify(doc)};\nexport const openApiDocument = () => Promise.resolve(document);\n`,
      };
    });
  },
});

/** What every bundle shares: ESM for Node 22, minified, SDK left to the runtime, the plugins above. */
function bundleOptions(entries: Entry[]): BuildOptions & { metafile: true } {
  return {
    absWorkingDir: root,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node22",
    minify: true,
    // Small maps (no sources inlined): stack traces in CloudWatch point at shared/… lines.
    sourcemap: true,
    sourcesContent: false,
    // The Lambda Node.js runtime ships AWS SDK v3, as CDK's NodejsFunction assumes by default.
    // (Loading it is most of a cold start — see bench/cold-start.ts — but bundling it into every
    // function in this one esbuild run took ~9 GB of memory here; left for a per-function build.)
    external: ["@aws-sdk/*"],
    // Prefer the ESM build of dual packages.
    mainFields: ["module", "main"],
    // CommonJS dependencies bundled into ESM still call require() for Node built-ins.
    banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
    plugins: [
      builtinsViaRequire,
      routeEntries(new Map(entries.map((e) => [e.functionId, e]))),
      pdfkitFontsInline,
      // Before the response-schema plugin, which would otherwise load the document module as it is.
      openApiDocumentInlined(entries.flatMap((e) => (e.route ? [e.route] : []))),
      responseSchemasLeftOut,
    ],
    metafile: true,
    logLevel: "warning",
    legalComments: "none",
  };
}

/** The chunks an output reaches through imports of the given kinds (itself excluded). */
function reachableChunks(metafile: Metafile, from: string, kinds: string[]): Set<string> {
  const seen = new Set<string>();
  const walk = (out: string) => {
    for (const i of metafile.outputs[out]?.imports ?? []) {
      if (i.external || !kinds.includes(i.kind) || seen.has(i.path)) continue;
      seen.add(i.path);
      walk(i.path);
    }
  };
  walk(from);
  return seen;
}

export async function buildFunctions(options: { outdir?: string; entries?: Entry[] } = {}): Promise<BuiltFunction[]> {
  const outdir = resolve(options.outdir ?? DEFAULT_OUTDIR);
  const entries = options.entries ?? allEntries();
  const missing = entries.filter((e) => !existsSync(join(root, e.handler)));
  if (missing.length > 0) {
    throw new Error(`No handler module for: ${missing.map((e) => `${e.functionId} (${e.handler})`).join(", ")}`);
  }
  // A removed route must not leave a stale bundle behind for a later synth to pick up.
  await rm(outdir, { recursive: true, force: true });
  await mkdir(outdir, { recursive: true });

  const result = await build({
    ...bundleOptions(entries),
    entryPoints: Object.fromEntries(
      entries.map((e) => [
        `${e.functionId}/index`,
        e.route ? `${ENTRY_NAMESPACE}:${e.functionId}` : join(root, e.handler),
      ]),
    ),
    outdir,
  });
  const metafile: Metafile = { inputs: result.metafile.inputs, outputs: { ...result.metafile.outputs } };

  await writeFile(join(outdir, "meta.json"), JSON.stringify(metafile));

  return entries.map((e) => {
    const outfile = join(outdir, e.functionId, "index.mjs");
    const dir = `${relative(root, join(outdir, e.functionId)).split("\\").join("/")}/`;
    const output = metafile.outputs[`${dir}index.mjs`];
    if (!output) throw new Error(`esbuild produced no bundle for ${e.handler}`);
    const reach = (kinds: string[]) => reachableChunks(metafile, `${dir}index.mjs`, kinds);
    const size = (outs: Set<string>) => [...outs].reduce((n, o) => n + (metafile.outputs[o]?.bytes ?? 0), 0);
    const loaded = reach(["import-statement"]);
    const all = reach(["import-statement", "dynamic-import"]);
    return {
      functionId: e.functionId,
      outfile,
      bytes: output.bytes + size(loaded),
      lazyBytes: size(all) - size(loaded),
    };
  });
}

/** Bundles every HTTP route of `entries` into one lith at `<outdir>/lith/index.mjs` (see `lithEntry`). */
export async function buildLith(options: { outdir: string; entries?: Entry[] }): Promise<BuiltFunction> {
  const outdir = resolve(options.outdir);
  const entries = (options.entries ?? allEntries()).filter((e) => e.route);
  const result = await build({
    ...bundleOptions(entries),
    entryPoints: { "lith/index": `${ENTRY_NAMESPACE}:${LITH_ENTRY}` },
    outdir,
    // Like a function's bundle: what the routes import lazily stays in chunks.
    splitting: true,
    chunkNames: "lith/chunks/[name]-[hash]",
  });
  const outfile = join(outdir, "lith", "index.mjs");
  const output = result.metafile.outputs[relative(root, outfile).split("\\").join("/")];
  if (!output) throw new Error("esbuild produced no lith bundle");
  return { functionId: "lith", outfile, bytes: output.bytes, lazyBytes: 0 };
}

const runAsScript = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (runAsScript) {
  const started = Date.now();
  const built = await buildFunctions();
  const sizes = built.map((b) => b.bytes).sort((a, b) => a - b);
  const kb = (n: number | undefined) => `${((n ?? 0) / 1024).toFixed(0)} KiB`;
  process.stdout.write(
    `built ${built.length} functions in ${Date.now() - started} ms ` +
      `(min ${kb(sizes[0])}, median ${kb(sizes[Math.floor(sizes.length / 2)])}, max ${kb(sizes.at(-1))})\n`,
  );
}
