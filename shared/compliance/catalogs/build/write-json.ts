/**
 * Writes a generated catalog or mapping laid out the way the repository's formatter (Biome) lays
 * JSON out — objects one key per line, arrays of scalars on one line when they fit in 120
 * columns — so `biome check` passes on generated files and a regenerated file differs from the
 * committed one only where the data changed.
 */
import { writeFileSync } from "node:fs";

const LINE_WIDTH = 120;

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

function isScalar(value: Json): value is string | number | boolean | null {
  return value === null || typeof value !== "object";
}

function layout(value: Json, indent: number, lineSoFar: number, trailing: number): string {
  if (isScalar(value)) return JSON.stringify(value);
  const inner = " ".repeat(indent + 2);
  const close = " ".repeat(indent);
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    const flat = value.every((v) => isScalar(v) || (Array.isArray(v) && v.every(isScalar)));
    if (flat) {
      const oneLine = `[${value.map((v) => layout(v, 0, 0, 0)).join(", ")}]`;
      if (lineSoFar + oneLine.length + trailing <= LINE_WIDTH) return oneLine;
    }
    const items = value.map((v, i) => inner + layout(v, indent + 2, inner.length, i < value.length - 1 ? 1 : 0));
    return `[\n${items.join(",\n")}\n${close}]`;
  }
  const entries = Object.entries(value);
  if (entries.length === 0) return "{}";
  const lines = entries.map(([key, v], i) => {
    const prefix = `${inner}${JSON.stringify(key)}: `;
    return prefix + layout(v, indent + 2, prefix.length, i < entries.length - 1 ? 1 : 0);
  });
  return `{\n${lines.join(",\n")}\n${close}}`;
}

export function writeJson(path: string, value: unknown): void {
  // A JSON round trip drops undefined fields and gives the layout a plain JSON tree.
  const tree: Json = JSON.parse(JSON.stringify(value));
  writeFileSync(path, `${layout(tree, 0, 0, 0)}\n`);
}
