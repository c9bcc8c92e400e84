/**
 * The import rules of STYLE.md ("Which way imports point"), checked over the repository's import
 * graph, and the cycle check. `npm run structure` prints the verdict; test/unit/structure.test.ts
 * runs the same checks (and proves each rule fires on a deliberate violation).
 *
 * Who may import what, by the kind of file doing the importing:
 *   handler   functions/**              kit, area roots, auth/crypto/iot; never an area's db/, table/,
 *                                       @aws-sdk/*, infra/ or another handler
 *   area      shared/<area>/*.ts        its own db/ and adapters/, other areas' roots, auth/crypto/iot/
 *                                       table, kit/{errors,log,config,text}; never another area's db/, the rest
 *                                       of the kit, or the AWS SDK
 *   adapter   shared/<area>/adapters/** the AWS SDK and other outside clients behind a port the area
 *                                       declares (e.g. the notifier's SES/SNS); its own area, kit leaves
 *   db        shared/<area>/db/**       table/, zod, its own area, kit/{errors,log,config,text}
 *   kit       shared/kit/**             anything in shared/ but other areas' db/ (the endpoint pipeline
 *                                       calls identity, audit and tenancy); kit/{errors,log,config,text} are leaves
 *                                       (and kit/metrics.ts, importable wherever they are)
 *   table     shared/table/**           kit/{errors,log,config,text} and itself
 *   lib       shared/{auth,crypto,iot}  kit/{errors,log,config,text}, each other, edge/contract.ts
 *   shared/** never imports infra/**, functions/**, test/** or bench/**; from edge/ only edge/contract.ts.
 *   reports/  reads any area (roots and db/); nothing in shared/ imports reports/ but reports/ itself.
 * Key strings (`T#…`, `G#…`) are written only in shared/<area>/db/** and shared/table/**.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";

export interface ImportEdge {
  from: string;
  /** Repository-relative path for project files, the bare specifier for packages. */
  to: string;
  typeOnly: boolean;
  line: number;
}

const ALIASES: [string, string][] = [
  ["#shared/", "shared/"],
  ["#infra/", "infra/"],
  ["#functions/", "functions/"],
  ["#edge/", "edge/"],
  ["#test/", "test/"],
];

const SOURCE_DIRS = ["shared", "functions", "infra", "edge", "test", "bench", "tools"];

export function listSources(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(join(root, dir))) {
      const rel = join(dir, name);
      if (name === "node_modules" || name.startsWith(".")) continue;
      if (statSync(join(root, rel)).isDirectory()) walk(rel);
      else if (/\.(ts|mts)$/.test(name) && !name.endsWith(".d.ts")) out.push(rel.split("\\").join("/"));
    }
  };
  for (const d of SOURCE_DIRS) {
    try {
      walk(d);
    } catch {
      // a directory that does not exist has no sources
    }
  }
  return out.sort();
}

const IMPORT =
  /(^|\n)\s*(import|export)\s+(type\s+)?([^"';]*?\s+from\s+)?["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

export function importsOf(file: string, text: string): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[5] ?? m[6];
    if (!spec) continue;
    const typeOnly =
      Boolean(m[3]) || (/^\s*\{\s*type\s/.test(m[4] ?? "") === true && !/,\s*(?!type\s)\w/.test(m[4] ?? ""));
    const line = text.slice(0, m.index).split("\n").length + (m[1] ? 1 : 0);
    edges.push({ from: file, to: resolveSpecifier(file, spec), typeOnly, line });
  }
  return edges;
}

export function resolveSpecifier(from: string, spec: string): string {
  for (const [alias, dir] of ALIASES) if (spec.startsWith(alias)) return normalize(dir + spec.slice(alias.length));
  if (spec.startsWith("./") || spec.startsWith("../"))
    return normalize(join(dirname(from), spec))
      .split("\\")
      .join("/");
  return spec;
}

export function importGraph(root: string): ImportEdge[] {
  return listSources(root).flatMap((f) => importsOf(f, readFileSync(join(root, f), "utf8")));
}

type Kind =
  | { kind: "handler" }
  | { kind: "kit"; leaf: boolean }
  | { kind: "table" }
  | { kind: "lib"; name: string }
  | { kind: "area"; area: string }
  | { kind: "db"; area: string }
  | { kind: "adapter"; area: string }
  | { kind: "edge-contract" }
  | { kind: "edge" }
  | { kind: "infra" }
  | { kind: "outside" }
  | { kind: "package"; name: string };

const KIT_LEAVES = new Set([
  "shared/kit/errors.ts",
  "shared/kit/log.ts",
  "shared/kit/config.ts",
  "shared/kit/text.ts",
  // Load-once-on-first-use (the SDK clients and heavy libraries kept out of a cold start): imports nothing.
  "shared/kit/lazy.ts",
  // Business metrics (EMF): counted where the event happens, e.g. a shadow write that failed in fleet.
  "shared/kit/metrics.ts",
]);
const LIBS = new Set(["auth", "crypto", "iot"]);

export function classify(path: string): Kind {
  if (!/^(shared|functions|infra|edge|test|bench|tools)\//.test(path)) {
    const name = path.startsWith("@") ? path.split("/").slice(0, 2).join("/") : (path.split("/")[0] ?? path);
    return { kind: "package", name };
  }
  if (path.startsWith("functions/")) return { kind: "handler" };
  if (path === "edge/contract.ts") return { kind: "edge-contract" };
  if (path.startsWith("edge/")) return { kind: "edge" };
  if (path.startsWith("infra/")) return { kind: "infra" };
  const parts = path.split("/");
  if (parts[0] !== "shared") return { kind: "outside" };
  const top = parts[1] ?? "";
  if (top === "kit") return { kind: "kit", leaf: KIT_LEAVES.has(path) };
  if (top === "table") return { kind: "table" };
  if (LIBS.has(top)) return { kind: "lib", name: top };
  if (parts[2] === "db") return { kind: "db", area: top };
  if (parts[2] === "adapters") return { kind: "adapter", area: top };
  return { kind: "area", area: top };
}

export interface Violation {
  file: string;
  line: number;
  imports: string;
  rule: string;
}

const isKitLeaf = (k: Kind) => k.kind === "kit" && k.leaf;

/** Why `edge` breaks a rule, or undefined when it is allowed. */
export function ruleFor(edge: ImportEdge): string | undefined {
  const from = classify(edge.from);
  const to = classify(edge.to);
  const toReports = (to.kind === "area" || to.kind === "db") && to.area === "reports";
  if (from.kind === "outside" || from.kind === "infra" || from.kind === "edge" || from.kind === "edge-contract") {
    return undefined;
  }
  if (from.kind !== "handler") {
    // Everything under shared/.
    if (to.kind === "infra" || to.kind === "handler" || to.kind === "outside") {
      return "shared/ never imports infra/, functions/, test/ or bench/";
    }
    if (to.kind === "edge") return "shared/ imports only edge/contract.ts from edge/";
    const fromReports =
      (from.kind === "area" || from.kind === "db" || from.kind === "adapter") && from.area === "reports";
    if (toReports && !fromReports)
      return "nothing in shared/ imports reports/ (reports/ reads the areas, not the reverse)";
  }
  switch (from.kind) {
    case "handler":
      if (to.kind === "package" && to.name === "@aws-sdk/client-dynamodb") return "handlers never talk to the SDK";
      if (to.kind === "package" && to.name.startsWith("@aws-sdk/")) return "handlers never talk to the SDK";
      if (to.kind === "db") return "handlers import area roots, never an area's db/";
      if (to.kind === "table") return "handlers never import shared/table/";
      if (to.kind === "infra") return "handlers never import infra/";
      if (to.kind === "handler" && dirname(edge.to) !== dirname(edge.from))
        return "a handler never imports another handler";
      return undefined;
    case "area":
      if (to.kind === "db" && to.area !== from.area && from.area !== "reports") {
        return `an area imports other areas' roots, never their db/ (${to.area}/db)`;
      }
      if (to.kind === "kit" && !to.leaf) return "an area imports only kit/{errors,log,config,text} from the kit";
      if (to.kind === "adapter" && to.area !== from.area) return "an area's adapters are its own";
      if (to.kind === "package" && to.name.startsWith("@aws-sdk/") && from.area !== "reports") {
        return "an area's rules do not talk to the SDK: that belongs in its db/ (or an adapter in iot/)";
      }
      return undefined;
    case "db":
      if (to.kind === "table" || isKitLeaf(to)) return undefined;
      if ((to.kind === "area" || to.kind === "db") && to.area === from.area) return undefined;
      if (to.kind === "package") return undefined;
      if (from.area === "reports" && (to.kind === "area" || to.kind === "db")) return undefined;
      return "db/ imports only table/, kit/{errors,log,config,text}, packages and its own area";
    case "adapter":
      if (to.kind === "package" || isKitLeaf(to) || to.kind === "table" || to.kind === "lib") return undefined;
      if ((to.kind === "area" || to.kind === "db" || to.kind === "adapter") && to.area === from.area) return undefined;
      return "an adapter imports packages, kit/{errors,log,config,text}, table/, auth/crypto/iot and its own area";
    case "kit":
      if (from.leaf && !(isKitLeaf(to) || to.kind === "package")) return "kit/{errors,log,config,text} are leaves";
      if (to.kind === "db") return "the kit imports area roots, never an area's db/";
      return undefined;
    case "table":
      if (to.kind === "table" || isKitLeaf(to) || to.kind === "package") return undefined;
      return "table/ imports only kit/{errors,log,config,text} and itself";
    case "lib":
      if (to.kind === "lib" || isKitLeaf(to) || to.kind === "package" || to.kind === "edge-contract") return undefined;
      return "auth/, crypto/ and iot/ import only each other, kit/{errors,log,config,text} and edge/contract.ts";
  }
  return undefined;
}

export function violations(edges: ImportEdge[]): Violation[] {
  return edges.flatMap((e) => {
    const rule = ruleFor(e);
    return rule ? [{ file: e.from, line: e.line, imports: e.to, rule }] : [];
  });
}

/** Import cycles among project files (Tarjan's strongly connected components, size > 1 or a self-import). */
export function cycles(edges: ImportEdge[]): string[][] {
  const next = new Map<string, Set<string>>();
  for (const e of edges) {
    if (classify(e.to).kind === "package") continue;
    if (!next.has(e.from)) next.set(e.from, new Set());
    next.get(e.from)?.add(e.to);
  }
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const strong = (v: string) => {
    idx.set(v, index);
    low.set(v, index);
    index += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) ?? 0, idx.get(w) ?? 0));
    }
    if (low.get(v) === idx.get(v)) {
      const component: string[] = [];
      let w: string | undefined;
      do {
        w = stack.pop();
        if (w === undefined) break;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || next.get(v)?.has(v)) found.push(component.sort());
    }
  };
  for (const v of next.keys()) if (!idx.has(v)) strong(v);
  return found;
}

/** Files outside shared/<area>/db/ and shared/table/ that write a key string. */
export function keyLiterals(root: string): { file: string; line: number; text: string }[] {
  const out: { file: string; line: number; text: string }[] = [];
  for (const file of listSources(root)) {
    if (!file.startsWith("shared/") && !file.startsWith("functions/") && !file.startsWith("infra/")) continue;
    if (file.startsWith("shared/table/") || /^shared\/[^/]+\/db\//.test(file)) continue;
    const lines = readFileSync(join(root, file), "utf8").split("\n");
    lines.forEach((text, i) => {
      const code = text.replace(/\/\/.*$/, "");
      if (/^\s*\*/.test(code)) return;
      if (/["'`](T|G)#/.test(code)) out.push({ file, line: i + 1, text: text.trim() });
    });
  }
  return out;
}

export function relativeTo(root: string, p: string): string {
  return relative(root, p).split("\\").join("/");
}

/** `npm run structure`: every violation, cycle and stray key string, one per line; exit 1 if any. */
const runAsScript = process.argv[1] !== undefined && import.meta.filename === process.argv[1];
if (runAsScript) {
  const root = join(import.meta.dirname, "..");
  const graph = importGraph(root);
  const lines = [
    ...violations(graph).map((v) => `${v.file}:${v.line} imports ${v.imports}: ${v.rule}`),
    ...cycles(graph).map((c) => `cycle: ${c.join(" → ")}`),
    ...keyLiterals(root).map((k) => `${k.file}:${k.line} writes a key string outside db/: ${k.text}`),
  ];
  for (const l of lines) process.stdout.write(`${l}\n`);
  process.stdout.write(`structure: ${graph.length} imports checked, ${lines.length} problems\n`);
  process.exitCode = lines.length > 0 ? 1 : 0;
}
