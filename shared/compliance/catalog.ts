/**
 * The shape every framework catalog file in `catalogs/` shares, and the shape of a cross-framework
 * mapping file in `catalogs/mappings/`. A catalog is a flat list of requirements whose `parent_id`
 * links make the tree (function → category → subcategory, family → control → enhancement, …), so
 * one schema fits frameworks of any depth. The files keep the wire's snake_case: they are data
 * shipped as-is, read by the API views and by people reviewing a licence.
 *
 * Each file says where its identifiers came from (`sources`) and under which terms its text is
 * shipped (`licence`): public-domain frameworks (NIST, HIPAA) carry their own text; copyrighted
 * ones (ISO, CIS, AICPA, PCI SSC) carry identifiers with Warden's own short titles only.
 */
import * as z from "zod/mini";

export const RequirementKind = z.enum([
  "function",
  "category",
  "subcategory",
  "family",
  "control",
  "enhancement",
  "theme",
  "safeguard",
  "series",
  "criterion",
  "requirement",
  "sub_requirement",
  "section",
  "standard",
  "implementation_specification",
  "recommendation",
]);
export type RequirementKind = z.infer<typeof RequirementKind>;

export const ImplementationGroup = z.enum(["IG1", "IG2", "IG3"]);
export const Baseline = z.enum(["low", "moderate", "high", "privacy"]);

export const Requirement = z.strictObject({
  id: z.string().check(z.minLength(1)),
  title: z.string().check(z.minLength(1)),
  description: z.optional(z.string()),
  parent_id: z.optional(z.string()),
  kind: RequirementKind,
  /** The framework's own printed form of the id when it differs from `id` (800-53: `AC-2(1)` for `ac-2.1`). */
  label: z.optional(z.string()),
  /** CIS Benchmark profile level. */
  level: z.optional(z.enum(["L1", "L2"])),
  /** CIS Benchmark: whether the recommendation can be checked by a tool or needs a person. */
  assessment: z.optional(z.enum(["automated", "manual"])),
  /** CIS Controls implementation groups the safeguard belongs to. */
  ig: z.optional(z.array(ImplementationGroup)),
  /** HIPAA implementation specifications are either required or addressable. */
  obligation: z.optional(z.enum(["required", "addressable"])),
  /** NIST SP 800-53B baselines that select the control. */
  baselines: z.optional(z.array(Baseline)),
  withdrawn: z.optional(z.boolean()),
  /** Where a withdrawn requirement's substance went (ids in the same catalog). */
  incorporated_into: z.optional(z.array(z.string())),
});
export type Requirement = z.infer<typeof Requirement>;

export const Source = z.strictObject({
  title: z.string(),
  url: z.string(),
  licence: z.string(),
  /** What this source contributed (ids, text, implementation groups, a cross-check…). */
  used_for: z.string(),
});

export const Catalog = z.strictObject({
  id: z.string().check(z.regex(/^[a-z0-9][a-z0-9.-]*$/)),
  name: z.string(),
  version: z.string(),
  publisher: z.string(),
  source_url: z.string(),
  licence: z.string(),
  description: z.string(),
  /** Other names people use for the framework; `byName` resolves them. */
  aliases: z.array(z.string()),
  sources: z.array(Source).check(z.minLength(1)),
  requirements: z.array(Requirement).check(z.minLength(1)),
});
export type Catalog = z.infer<typeof Catalog>;

/** What listing frameworks needs without loading any catalog body. */
export const CatalogSummary = z.strictObject({
  id: z.string(),
  name: z.string(),
  version: z.string(),
  publisher: z.string(),
  description: z.string(),
  source_url: z.string(),
  licence: z.string(),
  aliases: z.array(z.string()),
  requirement_count: z.number(),
  active_requirement_count: z.number(),
});
export type CatalogSummary = z.infer<typeof CatalogSummary>;

export const CatalogIndex = z.strictObject({
  catalogs: z.array(CatalogSummary),
});

export const Mapping = z.strictObject({
  from: z.string(),
  to: z.string(),
  name: z.string(),
  source_url: z.string(),
  licence: z.string(),
  sources: z.array(Source).check(z.minLength(1)),
  /** [requirement id in `from`, requirement id in `to`] */
  pairs: z.array(z.tuple([z.string(), z.string()])).check(z.minLength(1)),
});
export type Mapping = z.infer<typeof Mapping>;

/** A requirement with its children, for rendering a framework as a tree. */
export interface RequirementNode extends Requirement {
  children: RequirementNode[];
}

export function isActive(requirement: Requirement): boolean {
  return requirement.withdrawn !== true;
}
