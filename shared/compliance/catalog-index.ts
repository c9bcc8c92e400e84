/**
 * What listing and naming frameworks needs, from the small `catalogs/index.json` alone: a module
 * that never imports a catalog body, so a function that only names frameworks (every GRC list and
 * view) does not carry the catalogs (800-53 alone is about 0.5 MB) in its bundle. `catalogs.ts`
 * loads the bodies and re-exports these.
 */
import { CatalogIndex, type CatalogSummary } from "./catalog.ts";
import index from "./catalogs/index.json" with { type: "json" };

/** The shipped catalogs (catalogs.ts has one loader for each; a test checks the index lists exactly these). */
export type CatalogId =
  | "nist-csf-2.0"
  | "nist-800-53-r5"
  | "iso-27001-2022"
  | "cis-controls-v8.1"
  | "soc2-tsc-2017"
  | "pci-dss-4.0"
  | "hipaa-security-rule"
  | "cis-aws-foundations-v3.0"
  | "aws-fsbp";

const summaries: readonly CatalogSummary[] = CatalogIndex.parse(index).catalogs;
const ids = new Set(summaries.map((s) => s.id));

export function isCatalogId(value: string): value is CatalogId {
  return ids.has(value);
}

/** Every shipped framework with its counts, in listing order, without loading any catalog. */
export function listCatalogs(): readonly CatalogSummary[] {
  return summaries;
}

/** Letters and digits only, lower case: "ISO 27001", "iso-27001" and "ISO/IEC 27001" compare equal. */
export function nameKey(raw: string): string {
  return raw.toLowerCase().replace(/[^a-z0-9]/g, "");
}

/**
 * The framework a person or a client means by `name`: its id, its name or one of its aliases, in
 * any case, with or without spaces, dashes and punctuation ("nist" is the CSF, "ISO 27001" is
 * ISO/IEC 27001:2022). Undefined when nothing matches.
 */
export function byName(name: string): CatalogSummary | undefined {
  const key = nameKey(name);
  if (key.length === 0) return undefined;
  return summaries.find(
    (s) => nameKey(s.id) === key || nameKey(s.name) === key || s.aliases.some((alias) => nameKey(alias) === key),
  );
}
