/**
 * Every Lambda entry point (route handlers and workers) bundled into a self-contained directory per
 * function, `dist/functions/<functionId>/` with `index.mjs`, which is what the CDK app deploys with
 * `Code.fromAsset`. `npm run build` (and so `cdk synth`/`deploy`) runs it; the infra tests call
 * `buildFunctions({ sdk: "external" })`. Three stages, each bounded in memory:
 * 1. one esbuild run over every function, the AWS SDK left out of it (one file per function);
 * 2. the few functions carrying a heavy dependency they import on first use (PDF writer and fonts,
 *    spreadsheet writer, password dictionaries) built again alone with code splitting, so that
 *    dependency sits in a chunk beside index.mjs that a cold start does not load;
 * 3. the AWS SDK pre-bundled once per combination of SDK packages the functions import (`shipSdk`):
 *    a function loads one SDK module at a cold start, and the clients it imports with `import()`
 *    on first use.
 * What a cold start does not need stays out of it: Node built-ins load on first use of an export
 * (`builtinsViaRequire`), top-level zod schemas nothing in the function uses are dropped
 * (`unusedSchemasLeftOut`), and heavy dependencies imported with `import()` sit in chunks (`LAZY_HEAVY`).
 *
 * A route's bundle starts from a small generated entry (see `routeEntry`) that imports the
 * module's `endpoint` and exports `handler = endpoint.lambda(<its row>)`: the row is written into
 * the bundle, in plain sight, instead of the whole route table or an environment variable.
 */
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { builtinModules, createRequire } from "node:module";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type BuildOptions, build, context, type Metafile, type Plugin } from "esbuild";
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
const requireHere = createRequire(import.meta.url);

/**
 * Built-ins that stay as they are: those a fresh Node process has loaded before any bundle (a
 * stand-in would save nothing there), and `process` (the global object itself).
 */
const EAGER_BUILTINS = new Set([
  "async_hooks",
  "buffer",
  "diagnostics_channel",
  "events",
  "fs",
  "module",
  "path",
  "process",
  "querystring",
  "timers",
  "url",
  "util",
]);

/** Whether a built-in can stand behind a lazy object: not one whose export is a function (stream, assert). */
const lazyable = (name: string) =>
  !EAGER_BUILTINS.has(name) && !name.startsWith("internal/") && typeof requireHere(`node:${name}`) === "object";

/**
 * An export read at a module's top level only to be called later (`const v4 = bind(crypto.getRandomValues)`,
 * `typeof zlib.crc32`) need not load its module: a plain function (not a class, no properties of
 * its own beyond `length`/`name`/`prototype`, nothing on its prototype) is stood in for by a
 * function that loads the module when called and calls the real one with the same `this` and
 * arguments. Classes and anything else load the module on first read.
 */
function plainFunctions(mod: Record<string, unknown>, names: string[]): string[] {
  return names.filter((key) => {
    // An accessor (crypto's `getRandomValues`, `webcrypto`) is judged by what it returns here.
    const value = mod[key];
    if (typeof value !== "function") return false;
    if (Function.prototype.toString.call(value).startsWith("class")) return false;
    if (Object.getOwnPropertySymbols(value).length > 0) return false;
    if (Object.getOwnPropertyNames(value).some((n) => !["length", "name", "prototype"].includes(n))) return false;
    const proto = (value as { prototype?: object }).prototype;
    return proto === undefined || Object.getOwnPropertyNames(proto).every((n) => n === "constructor");
  });
}

/**
 * A built-in's stand-in: loaded (`require`) on the first read of any of its exports, not at import.
 * It has no own properties: every read falls through to its prototype, which forwards the name to
 * the built-in (loading it then). esbuild's interop (`__toESM`) builds each importing module's
 * namespace object on the stand-in's prototype and copies only own names, so nothing is copied —
 * with own accessors per export (crypto has ~90), that copying, per importing module, cost ~3 % of
 * an import's CPU profile. Method calls see the same `this` as before (the importer's namespace).
 */
export function lazyBuiltin(name: string): string {
  const mod = requireHere(`node:${name}`) as Record<string, unknown>;
  const plain = plainFunctions(mod, Object.getOwnPropertyNames(mod));
  return [
    "let real;",
    `const load = () => real ??= require(${JSON.stringify(`node:${name}`)});`,
    `const plain = new Set(${JSON.stringify(plain)});`,
    // A plain function read now and called later (see `plainFunctions`): one forwarder per name, which loads on call.
    "const forwarders = new Map();",
    "const forward = (key) => { let call = forwarders.get(key); if (!call) { call = function (...args) { return load()[key].apply(this, args); }; forwarders.set(key, call); } return call; };",
    // esbuild's interop reads `__esModule` (which no built-in has) to wrap the module: answered without loading it.
    'const exports = new Proxy({}, { get: (_, key) => key === "__esModule" ? undefined : plain.has(key) ? forward(key) : Reflect.get(load(), key), has: (_, key) => key in load(), set: (_, key, value) => { load()[key] = value; return true; } });',
    "module.exports = Object.create(exports);",
  ].join("\n");
}

/**
 * Node built-ins are loaded with `require`, never through an ESM `import`: importing a built-in as
 * ESM builds its ESM facade, which reads every export — and `node:http`'s lazy getters then load
 * undici (a ~60 ms share of a cold start) for a fetch nothing here calls. `require` returns the
 * same module object without touching them; the banner's `createRequire` provides it.
 *
 * And not at import either: each built-in a bundle imports is a stand-in (`lazyBuiltin`) that
 * loads it on first use of one of its exports. A cold start used to load https/tls/net, zlib,
 * stream, fs/promises, readline, os and webcrypto for the SDK's and our module scope (~35–50 ms of
 * CPU of a ~200 ms import), though a route answering a 400 uses none of them and one reaching
 * DynamoDB only some; now each loads when first used, the same module, the same behaviour.
 */
const builtinsViaRequire: Plugin = {
  name: "builtins-via-require",
  setup(b) {
    b.onResolve({ filter: /^(node:)?[a-z_/0-9]+$/ }, (args) => {
      const name = args.path.replace(/^node:/, "");
      if (args.kind === "require-call" || !BUILTINS.has(name)) return undefined;
      // Free of side effects: a built-in whose bindings nothing uses (the SDK's http2 and zlib, for
      // clients that never stream or compress) is dropped instead of loaded at every cold start.
      return { path: name, namespace: "builtin-cjs", sideEffects: false };
    });
    b.onLoad({ filter: /.*/, namespace: "builtin-cjs" }, (args) => ({
      loader: "js",
      contents: lazyable(args.path)
        ? lazyBuiltin(args.path)
        : `module.exports = require(${JSON.stringify(`node:${args.path}`)});`,
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

/** Calls whose result is a zod schema built from its arguments alone: `z.…` (zod/mini) and our `freeText`. */
const SCHEMA_ROOTS = new Set(["z", "freeText"]);

/**
 * Schemas declared at a module's top level (`const X = z.object(…)`, 400-odd across shared/ and edge/contract.ts) are
 * built at every cold start of every function whose bundle holds the module — most of them for
 * other routes of the same area. Each such initializer is wrapped, as the module is loaded, in a
 * function call marked free of side effects (`/* @__PURE__ *\/ (() => …)()`): evaluated at the
 * same moment to the same value where it is used, and left out of the bundle where nothing uses it.
 * Sound because building a schema has no effect outside it (the `z.meta` ids it may register are
 * read only by the OpenAPI generator, which reads the sources, not the bundles).
 */
const unusedSchemasLeftOut: Plugin = {
  name: "unused-schemas-left-out",
  setup(b) {
    b.onLoad({ filter: /[\\/](?:shared[\\/].*|edge[\\/]contract)\.ts$/ }, async (args) => {
      const source = await readFile(args.path, "utf8");
      if (!/\bconst \w+(?::[^=]+)? = (?:z\.|freeText\()/.test(source)) return undefined;
      const ts = (await import("typescript")).default;
      const file = ts.createSourceFile(args.path, source, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
      // The module's own schema helpers (`const intIn = (min, max) => z.number().check(…)`) are roots too.
      const roots = new Set(SCHEMA_ROOTS);
      // Rooted at a schema call, and no validation on the way (`z.object(…).parse(process.env)`
      // checks the environment at import: it stays as it is, used or not).
      const rooted = (node: import("typescript").Expression): boolean => {
        let n: import("typescript").Expression = node;
        for (;;) {
          if (ts.isPropertyAccessExpression(n) && /parse|decode/i.test(n.name.text)) return false;
          if (ts.isCallExpression(n) || ts.isPropertyAccessExpression(n) || ts.isNonNullExpression(n)) n = n.expression;
          else if (ts.isAsExpression(n) || ts.isSatisfiesExpression(n) || ts.isParenthesizedExpression(n))
            n = n.expression;
          else return ts.isIdentifier(n) && roots.has(n.text);
        }
      };
      for (const statement of file.statements) {
        if (!ts.isVariableStatement(statement) || !(statement.declarationList.flags & ts.NodeFlags.Const)) continue;
        for (const d of statement.declarationList.declarations) {
          const init = d.initializer;
          if (
            ts.isIdentifier(d.name) &&
            init &&
            ts.isArrowFunction(init) &&
            !ts.isBlock(init.body) &&
            rooted(init.body)
          )
            roots.add(d.name.text);
        }
      }
      const edits: { at: number; text: string }[] = [];
      for (const statement of file.statements) {
        if (!ts.isVariableStatement(statement)) continue;
        if (!(statement.declarationList.flags & ts.NodeFlags.Const)) continue;
        for (const d of statement.declarationList.declarations) {
          const init = d.initializer;
          if (!init || !ts.isCallExpression(init) || !rooted(init)) continue;
          edits.push({ at: init.getStart(file), text: "/* @__PURE__ */ (() => " }, { at: init.end, text: ")()" });
        }
      }
      if (edits.length === 0) return undefined;
      let contents = source;
      for (const e of edits.sort((x, y) => y.at - x.at))
        contents = contents.slice(0, e.at) + e.text + contents.slice(e.at);
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

/**
 * Where the AWS SDK comes from at run time.
 * - "bundled" (deploys, the bench): shipped inside each function's directory, pre-bundled — see
 *   `shipSdk`. Loading the SDK from node_modules file by file through Node's CommonJS loader was
 *   most of a cold start (bench/cold-start.ts); one ESM file per client is a fraction of it.
 * - "external": left to the Lambda runtime (which ships SDK v3), as CDK's NodejsFunction does by
 *   default. Faster to build: the infra tests, which assert templates and IAM, not bundle contents.
 */
export type SdkMode = "bundled" | "external";

/** The directory, inside a function's, holding its pre-bundled SDK modules. */
const SDK_DIR = "sdk";
/** `@aws-sdk/client-dynamodb` → `client-dynamodb`, `@aws-sdk/x/sub` → `x+sub`: one flat file name per import. */
const sdkFileName = (specifier: string) => specifier.slice("@aws-sdk/".length).split("/").join("+");

/**
 * With the SDK bundled, every `@aws-sdk/*` import of a function's code becomes an import of
 * `./sdk/<name>.mjs` beside it (chunks sit in the same directory, so the path holds for them too);
 * `shipSdk` then writes those modules. Imports built from a variable at run time (the optional
 * SES/SNS notifier) are not seen by esbuild and stay with the runtime's SDK.
 */
const sdkBeside: Plugin = {
  name: "sdk-beside",
  setup(b) {
    b.onResolve({ filter: /^@aws-sdk\// }, (args) => ({
      path: `./${SDK_DIR}/${sdkFileName(args.path)}.mjs`,
      external: true,
    }));
  },
};

/** ESM for Node 22, minified, the ESM build of dual packages preferred: the functions' bundles and the SDK's alike. */
const esmForNode22 = () =>
  ({
    absWorkingDir: root,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node22",
    // WARDEN_BUILD_READABLE=1: names kept, for reading a `node --cpu-prof` profile of a bundle.
    minify: process.env.WARDEN_BUILD_READABLE !== "1",
    // Prefer the ESM build of dual packages.
    mainFields: ["module", "main"],
    // CommonJS dependencies bundled into ESM still call require() for Node built-ins.
    banner: { js: BANNER },
  }) satisfies BuildOptions;

/** What every bundle shares: ESM for Node 22, minified, the plugins above. */
function bundleOptions(entries: Entry[], sdk: SdkMode): BuildOptions & { metafile: true } {
  return {
    ...esmForNode22(),
    // Small maps (no sources inlined): stack traces in CloudWatch point at shared/… lines.
    sourcemap: true,
    sourcesContent: false,
    // External: the Lambda Node.js runtime ships AWS SDK v3. Bundled: see `sdkBeside`/`shipSdk`.
    external: sdk === "external" ? ["@aws-sdk/*"] : [],
    plugins: [
      builtinsViaRequire,
      ...(sdk === "bundled" ? [sdkBeside] : []),
      routeEntries(new Map(entries.map((e) => [e.functionId, e]))),
      pdfkitFontsInline,
      // Before the response-schema plugin, which would otherwise load the document module as it is.
      openApiDocumentInlined(entries.flatMap((e) => (e.route ? [e.route] : []))),
      responseSchemasLeftOut,
      unusedSchemasLeftOut,
    ],
    metafile: true,
    logLevel: "warning",
    legalComments: "none",
  };
}

const BANNER = "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

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

/**
 * Dependencies a function only needs on first use of one feature (each imported with `import()`):
 * a function carrying one is built on its own with code splitting, so they land in chunks beside
 * its index.mjs that a cold start neither loads nor parses.
 */
const LAZY_HEAVY = ["pdfkit", "exceljs", "@zxcvbn-ts/language-common", "fontkit", "acme-client"];

const posix = (p: string) => p.split("\\").join("/");

/** What a function's files import from the SDK: per module (flat name), the names taken ("*": all). */
interface SdkImports {
  /** Import statements: loaded at a cold start. */
  statics: Map<string, Set<string>>;
  /** `import()` only: loaded on first use. */
  dynamics: Set<string>;
}

/** Adds the SDK imports of one built file to `into`. */
function sdkImportsOf(source: string, into: SdkImports): void {
  const dir = `\\./${SDK_DIR}/([\\w.+-]+)\\.mjs`;
  for (const m of source.matchAll(new RegExp(`import\\s*([^;"'()]*?)\\s*(?:from\\s*)?["']${dir}["']`, "g"))) {
    const clause = (m[1] ?? "").trim();
    const file = m[2] as string;
    const braces = /\{([^}]*)\}/.exec(clause);
    const names = braces
      ? (braces[1] ?? "")
          .split(",")
          .map((s) => s.trim().split(/\s+as\s+/)[0] ?? "")
          .filter(Boolean)
      : [];
    // A namespace or default import (or anything this reading does not know) takes every export.
    const rest = braces ? clause.replace(braces[0], "").replace(/,/g, "").trim() : clause;
    const set = into.statics.get(file) ?? new Set<string>();
    for (const n of rest === "" ? names : ["*"]) set.add(n);
    into.statics.set(file, set);
  }
  for (const m of source.matchAll(new RegExp(`import\\(\\s*["']${dir}["']\\s*\\)`, "g")))
    into.dynamics.add(m[1] as string);
}

/** The files of a directory `entry` loads by static imports of its siblings (`./<file>.mjs`), itself included. */
function staticallyReachable(texts: Map<string, string>, entry: string): Set<string> {
  const seen = new Set<string>();
  const next = [entry];
  for (let f = next.pop(); f !== undefined; f = next.pop()) {
    if (seen.has(f) || !texts.has(f)) continue;
    seen.add(f);
    const text = texts.get(f) ?? "";
    for (const m of text.matchAll(/(?:import|export)\s*(?:[^;"'()]*?\s*from\s*)?["']\.\/([\w.+-]+\.mjs)["']/g)) {
      next.push(m[1] as string);
    }
  }
  return seen;
}

interface ShippedSdk {
  /** Per function directory (relative to the root): SDK bytes loaded at a cold start, and those loaded lazily. */
  bytes: Map<string, { loaded: number; lazy: number }>;
}

/** A module the SDK build writes: its entry's source, and the files of its output (entry first). */
interface SdkModule {
  contents: string;
  outputs: { name: string; bytes: number; text: string; lazy: boolean }[];
}

const specifier = (file: string) => `@aws-sdk/${file.split("+").join("/")}`;

/**
 * Writes the pre-bundled SDK into each function directory that imports it (`./sdk/*.mjs`).
 *
 * A function loads its SDK at a cold start as ONE module: the combination of SDK packages its
 * files import with import statements gets one module, built once for every function importing
 * that same combination (re-exporting only the names those functions take, each under a name
 * prefixed per package), and each `./sdk/<package>.mjs` a function imports is a one-line module
 * re-exporting that package's names from it. Packages a function only imports with `import()` get
 * a module of their own, loaded on first use. Each module is built alone, with splitting for what
 * the SDK itself imports lazily (credential providers other than the environment's): chunks beside
 * it that a cold start does not load.
 *
 * Why modules per combination rather than one per package with shared chunks (the previous build):
 * a cold start of a function reaching DynamoDB, STS and KMS resolved, read, compiled and linked ~35
 * files (entries and shared chunks), ~25 % of its import's CPU; now it is 1 + one line per package.
 * Why not the SDK inside each function's own esbuild output: tree-shaking per function is exact, but
 * esbuild then links and prints the SDK once per function — one run over every function grew to
 * ~9.5 GB and > 10 minutes here, and runs per function or per batch cost ~2.4 s of CPU per function
 * (~9 minutes for the app). This build prints the SDK once per combination (a few dozen in the app).
 */
async function shipSdk(outdir: string, dirs: string[]): Promise<ShippedSdk> {
  const byDir = new Map<string, SdkImports>();
  for (const dir of dirs) {
    const mine: SdkImports = { statics: new Map(), dynamics: new Set() };
    const texts = new Map<string, string>();
    for (const f of await readdir(dir)) {
      if (f.endsWith(".mjs")) texts.set(f, await readFile(join(dir, f), "utf8"));
    }
    // Only the files a cold start loads (index.mjs and the chunks it imports statically) decide what
    // is loaded at import. A package only lazily loaded chunks import (statically or not) gets a
    // module of its own, loaded with them; one the cold start loads anyway takes their names too.
    const eager = staticallyReachable(texts, "index.mjs");
    const lazy: SdkImports = { statics: new Map(), dynamics: new Set() };
    for (const [f, text] of texts) sdkImportsOf(text, eager.has(f) ? mine : lazy);
    for (const [file, names] of lazy.statics) {
      const set = mine.statics.get(file);
      if (set) for (const n of names) set.add(n);
      else mine.dynamics.add(file);
    }
    for (const file of lazy.dynamics) mine.dynamics.add(file);
    byDir.set(dir, mine);
  }
  const shipped: ShippedSdk = { bytes: new Map() };

  // A package taken whole (a namespace import) cannot share a combination's flat namespace: it is a
  // module of its own, like a package imported lazily.
  const whole = (names: Set<string>) => names.has("*");
  const comboOf = (imports: SdkImports) =>
    [...imports.statics]
      .filter(([, names]) => !whole(names))
      .map(([file]) => file)
      .sort();
  const ownOf = (imports: SdkImports) => [
    ...new Set([
      ...[...imports.statics].filter(([, names]) => whole(names)).map(([file]) => file),
      ...[...imports.dynamics].filter((file) => !imports.statics.has(file)),
    ]),
  ];

  // The combinations, each with the names its functions take from each package.
  const combos = new Map<string, Map<string, Set<string>>>();
  for (const imports of byDir.values()) {
    const files = comboOf(imports);
    if (files.length === 0) continue;
    const key = files.join(",");
    const combo = combos.get(key) ?? new Map<string, Set<string>>();
    for (const file of files) {
      const set = combo.get(file) ?? new Set<string>();
      for (const n of imports.statics.get(file) ?? []) set.add(n);
      combo.set(file, set);
    }
    combos.set(key, combo);
  }
  const own = new Set([...byDir.values()].flatMap(ownOf));
  if (combos.size === 0 && own.size === 0) return shipped;

  /** One package's names in a combination's namespace: `p<index>_<name>`. */
  const prefixed = (index: number, name: string) => `p${index}_${name}`;
  // One esbuild context for every module: each rebuild parses only what the previous ones did not
  // (the SDK's files are read and parsed once, not once per combination).
  let contents = "";
  const ctx = await context({
    ...esmForNode22(),
    splitting: true,
    chunkNames: "[name]-[hash]",
    entryNames: "[name]-[hash]",
    metafile: true,
    write: false,
    logLevel: "warning",
    legalComments: "none",
    entryPoints: { sdk: "warden-sdk:entry" },
    outdir: join(outdir, ".sdk-build"),
    plugins: [
      builtinsViaRequire,
      {
        name: "sdk-entry",
        setup(b) {
          b.onResolve({ filter: /^warden-sdk:entry$/ }, () => ({ path: "entry", namespace: "warden-sdk" }));
          b.onLoad({ filter: /.*/, namespace: "warden-sdk" }, () => ({ loader: "js", resolveDir: root, contents }));
        },
      },
    ],
  });
  const buildModule = async (source: string): Promise<SdkModule> => {
    contents = source;
    const result = await ctx.rebuild();
    const meta = result.metafile;
    const entry = Object.keys(meta.outputs).find((o) => meta.outputs[o]?.entryPoint === "warden-sdk:entry");
    if (!entry) throw new Error("the SDK build produced no entry module");
    const lazyOnes = reachableChunks(meta, entry, ["import-statement", "dynamic-import"]);
    // The entry is written under the name its functions import (`<package>.mjs` or the
    // combination's): nothing else may import it by the name esbuild gave it.
    if ([...lazyOnes].some((o) => meta.outputs[o]?.imports.some((i) => i.path === entry))) {
      throw new Error("an SDK chunk imports its entry module");
    }
    const eager = reachableChunks(meta, entry, ["import-statement"]);
    const text = new Map(result.outputFiles.map((f) => [posix(relative(root, f.path)), f.text]));
    const out = (o: string, lazy: boolean) => ({
      name: basename(o),
      bytes: meta.outputs[o]?.bytes ?? 0,
      text: text.get(o) ?? "",
      lazy,
    });
    return {
      contents: source,
      outputs: [out(entry, false), ...[...lazyOnes].map((o) => out(o, !eager.has(o)))],
    };
  };

  const comboModules = new Map<string, SdkModule>();
  const ownModules = new Map<string, SdkModule>();
  try {
    for (const [key, combo] of combos) {
      const files = key.split(",");
      const lines = files.map((file, i) => {
        const names = [...(combo.get(file) ?? [])].sort();
        return `export { ${names.map((n) => `${n} as ${prefixed(i, n)}`).join(", ")} } from ${JSON.stringify(specifier(file))};`;
      });
      comboModules.set(key, await buildModule(lines.join("\n")));
    }
    for (const file of own)
      ownModules.set(file, await buildModule(`export * from ${JSON.stringify(specifier(file))};`));
  } finally {
    await ctx.dispose();
  }

  for (const [dir, imports] of byDir) {
    const target = join(dir, SDK_DIR);
    const write = async (name: string, text: string) => {
      await mkdir(target, { recursive: true });
      await writeFile(join(target, name), text);
    };
    let loaded = 0;
    let lazy = 0;
    const files = comboOf(imports);
    if (files.length > 0) {
      const combo = comboModules.get(files.join(",")) as SdkModule;
      const [entry] = combo.outputs;
      for (const o of combo.outputs) {
        await write(o.name, o.text);
        if (o.lazy) lazy += o.bytes;
        else loaded += o.bytes;
      }
      for (const [i, file] of files.entries()) {
        const names = [...(imports.statics.get(file) ?? [])].sort();
        const facade = `export { ${names.map((n) => `${prefixed(i, n)} as ${n}`).join(", ")} } from "./${entry?.name}";\n`;
        await write(`${file}.mjs`, facade);
        loaded += facade.length;
      }
    }
    for (const file of ownOf(imports)) {
      const mod = ownModules.get(file) as SdkModule;
      const isStatic = imports.statics.has(file);
      for (const [i, o] of mod.outputs.entries()) {
        // The entry under the name the function imports; its chunks under their own.
        await write(i === 0 ? `${file}.mjs` : o.name, o.text);
        if (isStatic && !o.lazy) loaded += o.bytes;
        else lazy += o.bytes;
      }
    }
    if (files.length > 0 || ownOf(imports).length > 0) {
      shipped.bytes.set(posix(relative(root, dir)), { loaded, lazy });
    }
  }
  // What went into the SDK modules (the inputs of every combination), for a reader of the build.
  await writeFile(
    join(outdir, "sdk-modules.json"),
    JSON.stringify(
      {
        combinations: [...comboModules].map(([key, m]) => ({ packages: key.split(","), source: m.contents })),
        own: [...ownModules.keys()],
      },
      null,
      1,
    ),
  );
  return shipped;
}

export interface BuildFunctionsOptions {
  outdir?: string;
  entries?: Entry[];
  /** Where the AWS SDK comes from (see `SdkMode`); default "bundled", what a deploy ships. */
  sdk?: SdkMode;
  /** Told each stage's time (`npm run build` prints them). */
  log?: (line: string) => void;
}

const entryPoint = (e: Entry) => (e.route ? `${ENTRY_NAMESPACE}:${e.functionId}` : join(root, e.handler));

export async function buildFunctions(options: BuildFunctionsOptions = {}): Promise<BuiltFunction[]> {
  const outdir = resolve(options.outdir ?? DEFAULT_OUTDIR);
  const entries = options.entries ?? allEntries();
  const sdk = options.sdk ?? "bundled";
  let mark = performance.now();
  const stage = (what: string) => {
    const now = performance.now();
    options.log?.(`${what}: ${(now - mark).toFixed(0)} ms`);
    mark = now;
  };
  const missing = entries.filter((e) => !existsSync(join(root, e.handler)));
  if (missing.length > 0) {
    throw new Error(`No handler module for: ${missing.map((e) => `${e.functionId} (${e.handler})`).join(", ")}`);
  }
  // A removed route must not leave a stale bundle behind for a later synth to pick up.
  await rm(outdir, { recursive: true, force: true });
  await mkdir(outdir, { recursive: true });

  // Every function in one run, one file each (memory stays small with the SDK outside this run).
  const result = await build({
    ...bundleOptions(entries, sdk),
    entryPoints: Object.fromEntries(entries.map((e) => [`${e.functionId}/index`, entryPoint(e)])),
    outdir,
  });
  const metafile: Metafile = { inputs: result.metafile.inputs, outputs: { ...result.metafile.outputs } };
  stage(`${entries.length} functions, one esbuild run (SDK ${sdk})`);
  const dirOf = (e: Entry) => `${posix(relative(root, join(outdir, e.functionId)))}/`;

  // Functions carrying a heavy lazily imported dependency: built again on their own, split.
  const heavy = entries.filter((e) =>
    Object.keys(metafile.outputs[`${dirOf(e)}index.mjs`]?.inputs ?? {}).some((i) =>
      LAZY_HEAVY.some((pkg) => i.includes(`node_modules/${pkg}/`)),
    ),
  );
  for (const e of heavy) {
    const dir = join(outdir, e.functionId);
    await rm(dir, { recursive: true, force: true });
    delete metafile.outputs[`${dirOf(e)}index.mjs`];
    delete metafile.outputs[`${dirOf(e)}index.mjs.map`];
    const split = await build({
      ...bundleOptions([e], sdk),
      entryPoints: { index: entryPoint(e) },
      outdir: dir,
      splitting: true,
      chunkNames: "[name]-[hash]",
    });
    Object.assign(metafile.inputs, split.metafile.inputs);
    Object.assign(metafile.outputs, split.metafile.outputs);
  }
  stage(
    `${heavy.length} functions with lazily loaded heavy parts, split (${heavy.map((e) => e.functionId).join(", ")})`,
  );

  const shipped =
    sdk === "bundled"
      ? await shipSdk(
          outdir,
          entries.map((e) => join(outdir, e.functionId)),
        )
      : { bytes: new Map() };
  if (sdk === "bundled") stage("the SDK, pre-bundled once and copied beside each function");
  await writeFile(join(outdir, "meta.json"), JSON.stringify(metafile));

  return entries.map((e) => {
    const outfile = join(outdir, e.functionId, "index.mjs");
    const dir = dirOf(e);
    const output = metafile.outputs[`${dir}index.mjs`];
    if (!output) throw new Error(`esbuild produced no bundle for ${e.handler}`);
    const reach = (kinds: string[]) => reachableChunks(metafile, `${dir}index.mjs`, kinds);
    const size = (outs: Set<string>) => [...outs].reduce((n, o) => n + (metafile.outputs[o]?.bytes ?? 0), 0);
    const loaded = reach(["import-statement"]);
    const all = reach(["import-statement", "dynamic-import"]);
    const sdkBytes = shipped.bytes.get(dir.slice(0, -1)) ?? { loaded: 0, lazy: 0 };
    return {
      functionId: e.functionId,
      outfile,
      bytes: output.bytes + size(loaded) + sdkBytes.loaded,
      lazyBytes: size(all) - size(loaded) + sdkBytes.lazy,
    };
  });
}

/** Bundles every HTTP route of `entries` into one lith at `<outdir>/lith/index.mjs` (see `lithEntry`). */
export async function buildLith(options: { outdir: string; entries?: Entry[]; sdk?: SdkMode }): Promise<BuiltFunction> {
  const outdir = resolve(options.outdir);
  const entries = (options.entries ?? allEntries()).filter((e) => e.route);
  const sdk = options.sdk ?? "bundled";
  await rm(outdir, { recursive: true, force: true });
  const result = await build({
    ...bundleOptions(entries, sdk),
    entryPoints: { "lith/index": `${ENTRY_NAMESPACE}:${LITH_ENTRY}` },
    outdir,
    // Like a function's bundle: what the routes import lazily stays in chunks (beside the entry,
    // where `./sdk/` resolves from them too).
    splitting: true,
    chunkNames: "lith/[name]-[hash]",
  });
  const outfile = join(outdir, "lith", "index.mjs");
  const key = posix(relative(root, outfile));
  const output = result.metafile.outputs[key];
  if (!output) throw new Error("esbuild produced no lith bundle");
  const shipped = sdk === "bundled" ? await shipSdk(outdir, [join(outdir, "lith")]) : { bytes: new Map() };
  const loaded = reachableChunks(result.metafile, key, ["import-statement"]);
  const sdkBytes = shipped.bytes.get(posix(relative(root, join(outdir, "lith")))) ?? { loaded: 0, lazy: 0 };
  const bytes = [...loaded].reduce((n, o) => n + (result.metafile.outputs[o]?.bytes ?? 0), output.bytes);
  return { functionId: "lith", outfile, bytes: bytes + sdkBytes.loaded, lazyBytes: 0 };
}

const runAsScript = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (runAsScript) {
  const started = Date.now();
  const built = await buildFunctions({ log: (line) => process.stdout.write(`  ${line}\n`) });
  const sizes = built.map((b) => b.bytes).sort((a, b) => a - b);
  const kb = (n: number | undefined) => `${((n ?? 0) / 1024).toFixed(0)} KiB`;
  process.stdout.write(
    `built ${built.length} functions in ${Date.now() - started} ms ` +
      `(min ${kb(sizes[0])}, median ${kb(sizes[Math.floor(sizes.length / 2)])}, max ${kb(sizes.at(-1))})\n`,
  );
}
