/**
 * Frameworks as the GRC surface names them: each shipped catalog is a framework whose id is the
 * catalog id ("nist-csf-2.0"), whose short `name` is its first alias ("nist") and whose
 * `display_name` is the catalog's name. A request may name a framework by id or by any name
 * (`byName`); records store the id.
 */
import { Invalid, NotFound } from "#shared/kit/errors.ts";
import type { CatalogSummary, RequirementNode } from "./catalog.ts";
import { byName, type CatalogId, isCatalogId, listCatalogs, mappingsFor, requirementTree } from "./catalogs.ts";

export type Framework = CatalogSummary;

export function listFrameworks(): readonly Framework[] {
  return listCatalogs();
}

/** The framework a reference means, by id or name; undefined when none. */
export function frameworkOf(ref: string): Framework | undefined {
  return listCatalogs().find((c) => c.id === ref) ?? byName(ref);
}

/** The framework a request field names, or a 400 naming the field. */
export function requireFramework(ref: string, loc: (string | number)[]): Framework {
  const f = frameworkOf(ref);
  if (!f) {
    throw new Invalid(`${loc.join(".")}: no framework '${ref}'`, [
      { loc, msg: `unknown framework; GET /api/security/frameworks/ lists them`, type: "value_error" },
    ]);
  }
  return f;
}

/** A list filter's framework id: the id it names, or the raw value (which then matches nothing). */
export function frameworkFilter(ref: string | undefined): string | undefined {
  if (ref === undefined) return undefined;
  return frameworkOf(ref)?.id ?? ref;
}

export function getFramework(ref: string): Framework {
  const f = frameworkOf(ref);
  if (!f) throw new NotFound(`No framework '${ref}'`);
  return f;
}

export function frameworkDisplayName(id: string | null | undefined): string | null {
  if (!id) return null;
  return listCatalogs().find((c) => c.id === id)?.name ?? null;
}

export interface RequirementTreeNode extends RequirementNode {
  mappings: { framework_id: string; requirement_id: string }[];
}

/** A framework's requirement tree, each requirement with its cross-framework mappings. */
export async function frameworkRequirements(
  ref: string,
): Promise<{ framework: Framework; tree: RequirementTreeNode[] }> {
  const framework = getFramework(ref);
  const id = framework.id as CatalogId;
  if (!isCatalogId(id)) throw new NotFound(`No framework '${ref}'`);
  const roots = await requirementTree(id);
  const withMappings = async (n: RequirementNode): Promise<RequirementTreeNode> => ({
    ...n,
    mappings: (await mappingsFor(id, n.id)).map((m) => ({
      framework_id: m.framework_id,
      requirement_id: m.requirement_id,
    })),
    children: await Promise.all(n.children.map(withMappings)),
  });
  return { framework, tree: await Promise.all(roots.map(withMappings)) };
}
