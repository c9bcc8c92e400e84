/**
 * Regenerates `catalogs/index.json`, the summary of every catalog (name, version, counts…) that
 * lets the API list frameworks without loading a single catalog body. Run it after changing any
 * catalog; a unit test fails while the index and the catalogs disagree.
 *
 * Run: npx tsx shared/compliance/catalogs/build/index.ts
 */
import { readFileSync } from "node:fs";
import { Catalog, CatalogIndex, type CatalogSummary, isActive } from "../../catalog.ts";
import { writeJson } from "./write-json.ts";

/** Listing order: the general frameworks first, then the sector rules, then the AWS benchmark and standard. */
const ORDER = [
  "nist-csf-2.0",
  "nist-800-53-r5",
  "iso-27001-2022",
  "cis-controls-v8.1",
  "soc2-tsc-2017",
  "pci-dss-4.0",
  "hipaa-security-rule",
  "cis-aws-foundations-v3.0",
  "aws-fsbp",
];

function summarise(catalog: Catalog): CatalogSummary {
  return {
    id: catalog.id,
    name: catalog.name,
    version: catalog.version,
    publisher: catalog.publisher,
    description: catalog.description,
    source_url: catalog.source_url,
    licence: catalog.licence,
    aliases: catalog.aliases,
    requirement_count: catalog.requirements.length,
    active_requirement_count: catalog.requirements.filter(isActive).length,
  };
}

const catalogs = ORDER.map((id) =>
  Catalog.parse(JSON.parse(readFileSync(new URL(`../${id}.json`, import.meta.url), "utf8"))),
);
const index = CatalogIndex.parse({ catalogs: catalogs.map(summarise) });
writeJson(new URL("../index.json", import.meta.url).pathname, index);
console.log(`index of ${index.catalogs.length} catalogs written`);
