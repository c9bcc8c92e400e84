/**
 * Generates `catalogs/nist-csf-2.0.json` and `catalogs/mappings/nist-csf-2.0--nist-800-53-r5.json`
 * from the JSON export of the NIST CSF 2.0 Reference Tool (NIST's Cybersecurity and Privacy
 * Reference Tool, CPRT: "Export all" → JSON, `csf-export.json`). The export holds the CSF 2.0 Core
 * (functions, categories, subcategories; withdrawn subcategories are not in it) and the
 * informative references NIST publishes with it, among them the OLIR crosswalk
 * "SP-800-53-Rev-5-to-Cybersecurity-Framework-v2.0" against SP 800-53 Rev. 5.1.1 — the revision
 * our 800-53 catalog carries, so every reference must resolve there (the run fails otherwise).
 *
 * Run (after build/nist-800-53.ts, whose output it checks the mapping against):
 *   npx tsx shared/compliance/catalogs/build/nist-csf.ts <csf-export.json>
 */
import { readFileSync } from "node:fs";
import * as z from "zod/mini";
import { Catalog, Mapping, type Requirement } from "../../catalog.ts";
import { writeJson } from "./write-json.ts";

const CATALOG_OUT = new URL("../nist-csf-2.0.json", import.meta.url);
const MAPPING_OUT = new URL("../mappings/nist-csf-2.0--nist-800-53-r5.json", import.meta.url);
const SP800_53 = new URL("../nist-800-53-r5.json", import.meta.url);

const CSF = "CSF_2_0_0";
const SP800_53_DOC = "SP_800_53_5_1_1";
const OLIR_CROSSWALK = "SP-800-53-Rev-5-to-Cybersecurity-Framework-v2.0";

const Export = z.object({
  response: z.object({
    elements: z.object({
      documents: z.array(
        z.object({ doc_identifier: z.string(), name: z.string(), version: z.string(), website: z.string() }),
      ),
      elements: z.array(
        z.object({
          doc_identifier: z.string(),
          element_identifier: z.string(),
          element_type: z.string(),
          title: z.string(),
          text: z.string(),
        }),
      ),
      relationships: z.array(
        z.object({
          source_doc_identifier: z.string(),
          source_element_identifier: z.string(),
          dest_doc_identifier: z.string(),
          dest_element_identifier: z.string(),
          relationship_identifier: z.string(),
          provenance_doc_identifier: z.string(),
        }),
      ),
    }),
  }),
});

function kindOf(elementType: string): "function" | "category" | "subcategory" {
  if (elementType === "function" || elementType === "category" || elementType === "subcategory") return elementType;
  throw new Error(`not a CSF core element type: ${elementType}`);
}

function titleCase(word: string): string {
  return word.charAt(0) + word.slice(1).toLowerCase();
}

/** "PM-09" → "pm-9", "CM-07(02)" → "cm-7.2", "PT" → "pt": the OSCAL ids our 800-53 catalog uses. */
function oscalId(reference: string): string {
  const match = /^([A-Z]{2})(?:-(\d+)(?:\((\d+)\))?)?$/.exec(reference.trim());
  if (!match?.[1]) throw new Error(`not an SP 800-53 identifier: ${reference}`);
  const [, family, control, enhancement] = match;
  let id = family.toLowerCase();
  if (control) id += `-${Number(control)}`;
  if (enhancement) id += `.${Number(enhancement)}`;
  return id;
}

const exportPath = process.argv[2];
if (!exportPath) {
  console.error("usage: nist-csf.ts <csf-export.json from the CSF 2.0 Reference Tool>");
  process.exit(2);
}
const cprt = Export.parse(JSON.parse(readFileSync(exportPath, "utf8"))).response.elements;

const CORE_TYPES = new Set(["function", "category", "subcategory"]);
const core = cprt.elements.filter((e) => e.doc_identifier === CSF && CORE_TYPES.has(e.element_type));
const parentOf = new Map<string, string>();
for (const r of cprt.relationships) {
  if (r.relationship_identifier === "projection" && r.source_doc_identifier === CSF && r.dest_doc_identifier === CSF) {
    parentOf.set(r.dest_element_identifier, r.source_element_identifier);
  }
}

const seen = new Set<string>();
const requirements: Requirement[] = [];
for (const element of core) {
  if (seen.has(element.element_identifier)) continue;
  seen.add(element.element_identifier);
  const kind = kindOf(element.element_type);
  const parentId = parentOf.get(element.element_identifier);
  if (kind !== "function" && !parentId) throw new Error(`${element.element_identifier} has no parent in the export`);
  requirements.push({
    id: element.element_identifier,
    // Subcategories have no title of their own: the outcome statement is what people cite.
    title: kind === "subcategory" ? element.text : kind === "function" ? titleCase(element.title) : element.title,
    ...(kind === "subcategory" ? {} : { description: element.text }),
    ...(parentId ? { parent_id: parentId } : {}),
    kind,
  });
}

const csfDocument = cprt.documents.find((d) => d.doc_identifier === CSF);
const crosswalkDocument = cprt.documents.find((d) => d.doc_identifier === OLIR_CROSSWALK);
if (!csfDocument || !crosswalkDocument) throw new Error("the export lacks the CSF 2.0 core or the 800-53 crosswalk");

const catalog = Catalog.parse({
  id: "nist-csf-2.0",
  name: "NIST Cybersecurity Framework (CSF) 2.0",
  version: csfDocument.version,
  publisher: "National Institute of Standards and Technology (NIST)",
  source_url: "https://doi.org/10.6028/NIST.CSWP.29",
  licence: "Public domain: a work of the U.S. Government (17 U.S.C. 105).",
  description:
    "The CSF 2.0 Core: 6 functions, 22 categories and 106 subcategories (outcomes). Withdrawn subcategories are not shipped. Text is NIST's.",
  aliases: ["nist", "csf", "nist csf", "nist csf 2", "cybersecurity framework", "nist cybersecurity framework"],
  sources: [
    {
      title: "NIST CSF 2.0 Reference Tool export (CPRT), document CSF_2_0_0",
      url: "https://csrc.nist.gov/Projects/Cybersecurity-Framework/Filters#/csf/filters",
      licence: "Public domain (U.S. Government work)",
      used_for:
        "function, category and subcategory ids, titles, statements and their hierarchy; the export was read from the copy committed in github.com/kimberapittman/Municipal-Cybersecurity-Reasoning-Prototype (data/csf-export.json)",
    },
  ],
  requirements,
});

const sp80053 = Catalog.parse(JSON.parse(readFileSync(SP800_53, "utf8")));
const sp80053Ids = new Map(sp80053.requirements.map((r) => [r.id, r]));
const pairs = new Map<string, [string, string]>();
for (const r of cprt.relationships) {
  if (r.source_doc_identifier !== CSF || r.dest_doc_identifier !== SP800_53_DOC) continue;
  if (r.relationship_identifier !== "external_reference" || r.provenance_doc_identifier !== OLIR_CROSSWALK) continue;
  const target = oscalId(r.dest_element_identifier);
  const resolved = sp80053Ids.get(target);
  if (!resolved)
    throw new Error(`${r.source_element_identifier} → ${r.dest_element_identifier}: ${target} is not in 800-53`);
  if (resolved.withdrawn) throw new Error(`${r.source_element_identifier} → ${target}: a withdrawn control`);
  if (!seen.has(r.source_element_identifier)) throw new Error(`${r.source_element_identifier} is not in the CSF core`);
  pairs.set(`${r.source_element_identifier} ${target}`, [r.source_element_identifier, target]);
}

const mapping: Mapping = Mapping.parse({
  from: "nist-csf-2.0",
  to: "nist-800-53-r5",
  name: "NIST CSF 2.0 informative references to NIST SP 800-53 Rev. 5.1.1",
  source_url: crosswalkDocument.website,
  licence: "Public domain: a work of the U.S. Government (17 U.S.C. 105).",
  sources: [
    {
      title: `NIST OLIR crosswalk "${crosswalkDocument.name}" ${crosswalkDocument.version}, as carried by the CSF 2.0 Reference Tool export (informative references to ${SP800_53_DOC})`,
      url: crosswalkDocument.website,
      licence: "Public domain (U.S. Government work)",
      used_for: "every pair; 800-53 ids rewritten from the crosswalk's AC-02(01) form to the OSCAL ac-2.1 form",
    },
  ],
  pairs: [...pairs.values()],
});

writeJson(CATALOG_OUT.pathname, catalog);
writeJson(MAPPING_OUT.pathname, mapping);
console.log(`${catalog.requirements.length} CSF requirements, ${mapping.pairs.length} CSF → 800-53 pairs written`);
