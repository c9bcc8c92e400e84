/**
 * The framework catalogs shipped in `catalogs/`: list them, load one, walk it as a tree, find a
 * requirement, resolve a framework from what a person typed, and follow cross-framework mappings.
 *
 * Cost model: listing and name resolution read only the small `catalogs/index.json` (through
 * catalog-index.ts, which functions that only name frameworks import instead); a catalog
 * body (800-53 is about 0.5 MB) is imported on first use, validated once, and cached for the life
 * of the process — concurrent callers share the same pending load, so nothing is parsed twice.
 */
import { Catalog, Mapping, type Requirement, type RequirementNode } from "./catalog.ts";
import { type CatalogId, isCatalogId } from "./catalog-index.ts";

export { byName, type CatalogId, isCatalogId, listCatalogs } from "./catalog-index.ts";

/**
 * One import per file, spelled out, so a bundler can see every catalog. esbuild (no code
 * splitting) inlines them into the function bundle as lazily initialised modules: a catalog's
 * object is only built the first time its loader runs.
 */
const CATALOG_LOADERS = {
  "nist-csf-2.0": () => import("./catalogs/nist-csf-2.0.json", { with: { type: "json" } }),
  "nist-800-53-r5": () => import("./catalogs/nist-800-53-r5.json", { with: { type: "json" } }),
  "iso-27001-2022": () => import("./catalogs/iso-27001-2022.json", { with: { type: "json" } }),
  "cis-controls-v8.1": () => import("./catalogs/cis-controls-v8.1.json", { with: { type: "json" } }),
  "soc2-tsc-2017": () => import("./catalogs/soc2-tsc-2017.json", { with: { type: "json" } }),
  "pci-dss-4.0": () => import("./catalogs/pci-dss-4.0.json", { with: { type: "json" } }),
  "hipaa-security-rule": () => import("./catalogs/hipaa-security-rule.json", { with: { type: "json" } }),
  "cis-aws-foundations-v3.0": () => import("./catalogs/cis-aws-foundations-v3.0.json", { with: { type: "json" } }),
  "aws-fsbp": () => import("./catalogs/aws-fsbp.json", { with: { type: "json" } }),
} satisfies Record<CatalogId, () => Promise<{ default: unknown }>>;

const MAPPING_LOADERS = [
  {
    from: "nist-csf-2.0",
    to: "nist-800-53-r5",
    load: () => import("./catalogs/mappings/nist-csf-2.0--nist-800-53-r5.json", { with: { type: "json" } }),
  },
] satisfies { from: CatalogId; to: CatalogId; load: () => Promise<{ default: unknown }> }[];

const loaded = new Map<CatalogId, Promise<Catalog>>();

export function loadCatalog(id: CatalogId): Promise<Catalog> {
  let pending = loaded.get(id);
  if (!pending) {
    pending = CATALOG_LOADERS[id]().then((module) => Catalog.parse(module.default));
    // A failed load is not cached: the next caller tries again.
    pending.catch(() => loaded.delete(id));
    loaded.set(id, pending);
  }
  return pending;
}

/** The catalog as nested nodes, roots in file order, each node's children in file order. */
export async function requirementTree(id: CatalogId): Promise<RequirementNode[]> {
  const catalog = await loadCatalog(id);
  const nodes = new Map<string, RequirementNode>();
  for (const requirement of catalog.requirements) nodes.set(requirement.id, { ...requirement, children: [] });
  const roots: RequirementNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.parent_id === undefined ? undefined : nodes.get(node.parent_id);
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  return roots;
}

/**
 * Folds the spellings people use for the same requirement onto one key: case and spaces do not
 * matter, "AC-2(1)" is "ac-2.1", leading zeros go ("AC-02", "GV.OC-1" and "GV.OC-01" agree).
 */
function requirementKey(raw: string): string {
  return raw
    .trim()
    .toLowerCase()
    .replace(/\s+/g, "")
    .replace(/\((\d+)\)/g, ".$1")
    .replace(/(^|[^0-9])0+(?=\d)/g, "$1");
}

interface Lookup {
  byId: Map<string, Requirement>;
  byKey: Map<string, Requirement>;
}

const lookups = new Map<CatalogId, Promise<Lookup>>();

function lookupFor(id: CatalogId): Promise<Lookup> {
  let pending = lookups.get(id);
  if (!pending) {
    pending = loadCatalog(id).then((catalog) => {
      const byId = new Map(catalog.requirements.map((r) => [r.id, r]));
      const byKey = new Map<string, Requirement>();
      const add = (key: string, requirement: Requirement) => {
        if (!byKey.has(key)) byKey.set(key, requirement);
      };
      for (const r of catalog.requirements) add(requirementKey(r.id), r);
      for (const r of catalog.requirements) {
        if (r.label) add(requirementKey(r.label), r);
        // ISO Annex A controls are often cited without the "A." ("5.15" for A.5.15).
        if (/^A\.\d/.test(r.id)) add(requirementKey(r.id.slice(2)), r);
      }
      return { byId, byKey };
    });
    pending.catch(() => lookups.delete(id));
    lookups.set(id, pending);
  }
  return pending;
}

/** A requirement by framework and id, tolerant of the usual spellings; undefined if either is unknown. */
export async function findRequirement(frameworkId: string, requirementId: string): Promise<Requirement | undefined> {
  if (!isCatalogId(frameworkId)) return undefined;
  const { byId, byKey } = await lookupFor(frameworkId);
  return byId.get(requirementId) ?? byKey.get(requirementKey(requirementId));
}

export interface RelatedRequirement {
  framework_id: CatalogId;
  requirement_id: string;
}

type MappingLoader = (typeof MAPPING_LOADERS)[number];
const mappings = new Map<MappingLoader, Promise<Mapping>>();

function loadMapping(loader: MappingLoader): Promise<Mapping> {
  let pending = mappings.get(loader);
  if (!pending) {
    pending = loader.load().then((module) => {
      const mapping = Mapping.parse(module.default);
      if (mapping.from !== loader.from || mapping.to !== loader.to) {
        throw new Error(`mapping file ${loader.from}--${loader.to} declares ${mapping.from} → ${mapping.to}`);
      }
      return mapping;
    });
    pending.catch(() => mappings.delete(loader));
    mappings.set(loader, pending);
  }
  return pending;
}

/** Every shipped mapping, loaded (for checks that each pair resolves). */
export function loadMappings(): Promise<Mapping[]> {
  return Promise.all(MAPPING_LOADERS.map(loadMapping));
}

/**
 * Requirements in other frameworks that a published mapping relates to this one, in both
 * directions (a CSF subcategory → its 800-53 references, an 800-53 control → the CSF outcomes
 * citing it). The requirement id is resolved as `findRequirement` does; unknown ids relate to nothing.
 */
export async function mappingsFor(frameworkId: string, requirementId: string): Promise<RelatedRequirement[]> {
  const requirement = await findRequirement(frameworkId, requirementId);
  if (!requirement) return [];
  const related: RelatedRequirement[] = [];
  for (const loader of MAPPING_LOADERS) {
    if (loader.from !== frameworkId && loader.to !== frameworkId) continue;
    const mapping = await loadMapping(loader);
    for (const [from, to] of mapping.pairs) {
      if (loader.from === frameworkId && from === requirement.id)
        related.push({ framework_id: loader.to, requirement_id: to });
      if (loader.to === frameworkId && to === requirement.id)
        related.push({ framework_id: loader.from, requirement_id: from });
    }
  }
  return related;
}
