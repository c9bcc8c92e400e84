/**
 * Generates `catalogs/nist-800-53-r5.json` from NIST's OSCAL catalog of SP 800-53 Rev. 5 and the
 * SP 800-53B baseline profiles. Inputs (public domain, not committed because of their size):
 *   - the catalog: `NIST_SP-800-53_rev5_catalog-min.json` (5.1.1), as shipped inside the npm
 *     package nist-controls@1.4.0 (`npm pack nist-controls@1.4.0`, then
 *     `package/frameworks/SP80053/source-data/`), or from usnistgov/oscal-content
 *     `nist.gov/SP800-53/rev5/json/`;
 *   - the profiles: `NIST_SP-800-53_rev5_{LOW,MODERATE,HIGH,PRIVACY}-baseline_profile.json` from
 *     usnistgov/oscal-content `nist.gov/SP800-53/rev5/json/`.
 *
 * Run: npx tsx shared/compliance/catalogs/build/nist-800-53.ts <catalog.json> <profile-dir>
 *      npx biome format --write shared/compliance/catalogs/nist-800-53-r5.json
 *
 * Each control keeps its title and its full statement with parameters rendered as 800-53 prints
 * them ("[Assignment: organization-defined …]"); discussion, related-control and assessment text are
 * left out, which keeps the file near 0.5 MB, small enough to bundle into a function.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as z from "zod/mini";
import { Catalog, type Requirement } from "../../catalog.ts";
import { writeJson } from "./write-json.ts";

const OUTPUT = new URL("../nist-800-53-r5.json", import.meta.url);

/**
 * IA-13 and its enhancements joined the 5.1.1 dataset in November 2023, after the OSCAL copy this
 * script reads (2022-01-25); the CSF 2.0 crosswalk cites IA-13, so they are added here. Titles and
 * statements are NIST's 5.1.1 text; the organization-defined parameters keep their ODP names.
 */
const LATER_ADDITIONS: Requirement[] = [
  {
    id: "ia-13",
    title: "Identity Providers and Authorization Servers",
    description:
      "Employ identity providers and authorization servers to manage user, device, and non-person entity (NPE) identities, attributes, and access rights supporting authentication and authorization decisions in accordance with [Assignment: IA-13_ODP[01]] using [Assignment: IA-13_ODP[02]].",
    parent_id: "ia",
    kind: "control",
    label: "IA-13",
  },
  {
    id: "ia-13.1",
    title: "Protection of Cryptographic Keys",
    description:
      "Cryptographic keys that protect access tokens are generated, managed, and protected from disclosure and misuse.",
    parent_id: "ia-13",
    kind: "enhancement",
    label: "IA-13(1)",
  },
  {
    id: "ia-13.2",
    title: "Verification of Identity Assertions and Access Tokens",
    description:
      "The source and integrity of identity assertions and access tokens are verified before granting access to system and information resources.",
    parent_id: "ia-13",
    kind: "enhancement",
    label: "IA-13(2)",
  },
  {
    id: "ia-13.3",
    title: "Token Management",
    description:
      "In accordance with [Assignment: IA-13_ODP[01]], assertions and access tokens are:\na. generated;\nb. issued;\nc. refreshed;\nd. revoked;\ne. time-restricted; and\nf. audience-restricted.",
    parent_id: "ia-13",
    kind: "enhancement",
    label: "IA-13(3)",
  },
];

const Prop = z.object({ name: z.string(), value: z.string(), class: z.optional(z.string()) });
const Link = z.object({ href: z.string(), rel: z.optional(z.string()) });

interface OscalPart {
  name: string;
  prose?: string | undefined;
  props?: z.infer<typeof Prop>[] | undefined;
  parts?: OscalPart[] | undefined;
}
const Part: z.ZodMiniType<OscalPart> = z.object({
  name: z.string(),
  prose: z.optional(z.string()),
  props: z.optional(z.array(Prop)),
  get parts() {
    return z.optional(z.array(Part));
  },
});

const Param = z.object({
  id: z.string(),
  label: z.optional(z.string()),
  select: z.optional(z.object({ "how-many": z.optional(z.string()), choice: z.optional(z.array(z.string())) })),
  guidelines: z.optional(z.array(z.object({ prose: z.string() }))),
});

interface OscalControl {
  id: string;
  title: string;
  props?: z.infer<typeof Prop>[] | undefined;
  links?: z.infer<typeof Link>[] | undefined;
  params?: z.infer<typeof Param>[] | undefined;
  parts?: OscalPart[] | undefined;
  controls?: OscalControl[] | undefined;
}
const Control: z.ZodMiniType<OscalControl> = z.object({
  id: z.string(),
  title: z.string(),
  props: z.optional(z.array(Prop)),
  links: z.optional(z.array(Link)),
  params: z.optional(z.array(Param)),
  parts: z.optional(z.array(Part)),
  get controls() {
    return z.optional(z.array(Control));
  },
});

const OscalCatalog = z.object({
  catalog: z.object({
    metadata: z.object({ title: z.string(), version: z.string(), "last-modified": z.string() }),
    groups: z.array(z.object({ id: z.string(), title: z.string(), controls: z.array(Control) })),
  }),
});

const OscalProfile = z.object({
  profile: z.object({
    imports: z.array(
      z.object({ "include-controls": z.optional(z.array(z.object({ "with-ids": z.optional(z.array(z.string())) }))) }),
    ),
  }),
});

const BASELINE_FILES = {
  low: "NIST_SP-800-53_rev5_LOW-baseline_profile.json",
  moderate: "NIST_SP-800-53_rev5_MODERATE-baseline_profile.json",
  high: "NIST_SP-800-53_rev5_HIGH-baseline_profile.json",
  privacy: "NIST_SP-800-53_rev5_PRIVACY-baseline_profile.json",
} as const;
type BaselineName = keyof typeof BASELINE_FILES;
const BASELINES: BaselineName[] = ["low", "moderate", "high", "privacy"];

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, "utf8"));
}

function baselineMembership(profileDir: string): Map<string, BaselineName[]> {
  const membership = new Map<string, BaselineName[]>();
  for (const baseline of BASELINES) {
    const profile = OscalProfile.parse(readJson(join(profileDir, BASELINE_FILES[baseline])));
    const ids = profile.profile.imports.flatMap((i) =>
      (i["include-controls"] ?? []).flatMap((c) => c["with-ids"] ?? []),
    );
    for (const id of ids) membership.set(id, [...(membership.get(id) ?? []), baseline]);
  }
  return membership;
}

type ParamTable = Map<string, z.infer<typeof Param>>;

function renderParam(id: string, params: ParamTable, depth: number): string {
  const param = params.get(id);
  if (!param || depth > 3) return `[Assignment: ${id}]`;
  if (param.select) {
    const many = param.select["how-many"] === "one-or-more" ? " (one or more)" : "";
    const choices = (param.select.choice ?? []).map((c) => renderProse(c, params, depth + 1));
    return `[Selection${many}: ${choices.join("; ")}]`;
  }
  const label = param.label ?? param.guidelines?.[0]?.prose ?? id;
  return `[Assignment: ${label.startsWith("organization-defined") ? "" : "organization-defined "}${label}]`;
}

function renderProse(prose: string, params: ParamTable, depth = 0): string {
  return prose.replace(/\{\{\s*insert:\s*param,\s*([^\s}]+)\s*\}\}/g, (_, id: string) =>
    renderParam(id, params, depth),
  );
}

function labelOf(props: z.infer<typeof Prop>[] | undefined): string | undefined {
  return props?.find((p) => p.name === "label" && p.class === undefined)?.value;
}

function renderPart(part: OscalPart, params: ParamTable): string[] {
  const label = labelOf(part.props);
  const own = part.prose === undefined ? [] : [`${label ? `${label} ` : ""}${renderProse(part.prose, params)}`];
  return [...own, ...(part.parts ?? []).filter((p) => p.name === "item").flatMap((p) => renderPart(p, params))];
}

function statementOf(control: OscalControl, params: ParamTable): string | undefined {
  const statement = control.parts?.find((p) => p.name === "statement");
  if (!statement) return undefined;
  return renderPart(statement, params).join("\n");
}

function toRequirement(
  control: OscalControl,
  parentId: string,
  params: ParamTable,
  baselines: Map<string, BaselineName[]>,
): Requirement {
  const withdrawn = control.props?.some((p) => p.name === "status" && p.value === "withdrawn") === true;
  const label = labelOf(control.props);
  const incorporatedInto = (control.links ?? [])
    .filter((l) => l.rel === "incorporated-into" || l.rel === "moved-to")
    .map((l) => l.href.replace(/^#/, ""));
  const description = withdrawn ? undefined : statementOf(control, params);
  const inBaselines = baselines.get(control.id);
  return {
    id: control.id,
    title: control.title,
    ...(description ? { description } : {}),
    parent_id: parentId,
    kind: control.id.includes(".") ? "enhancement" : "control",
    ...(label ? { label } : {}),
    ...(inBaselines ? { baselines: inBaselines } : {}),
    ...(withdrawn ? { withdrawn: true } : {}),
    ...(incorporatedInto.length > 0 ? { incorporated_into: incorporatedInto } : {}),
  };
}

function build(catalogPath: string, profileDir: string): Catalog {
  const oscal = OscalCatalog.parse(readJson(catalogPath)).catalog;
  const baselines = baselineMembership(profileDir);
  const params: ParamTable = new Map();
  const everyControl = (controls: OscalControl[]): OscalControl[] =>
    controls.flatMap((c) => [c, ...everyControl(c.controls ?? [])]);
  for (const control of everyControl(oscal.groups.flatMap((g) => g.controls))) {
    for (const param of control.params ?? []) params.set(param.id, param);
  }

  const requirements: Requirement[] = [];
  for (const group of oscal.groups) {
    requirements.push({ id: group.id, title: group.title, kind: "family", label: group.id.toUpperCase() });
    for (const control of group.controls) {
      requirements.push(toRequirement(control, group.id, params, baselines));
      for (const enhancement of control.controls ?? []) {
        requirements.push(toRequirement(enhancement, control.id, params, baselines));
      }
    }
  }

  const afterIa12 = requirements.findLastIndex((r) => r.id === "ia-12" || r.parent_id === "ia-12");
  if (requirements.some((r) => r.id === "ia-13"))
    throw new Error("the OSCAL catalog already has IA-13: drop LATER_ADDITIONS");
  requirements.splice(
    afterIa12 + 1,
    0,
    ...LATER_ADDITIONS.map((r) => {
      const inBaselines = baselines.get(r.id);
      return inBaselines ? { ...r, baselines: inBaselines } : r;
    }),
  );
  const known = new Set(requirements.map((r) => r.id));
  const unknown = [...baselines.keys()].filter((id) => !known.has(id));
  if (unknown.length > 0) throw new Error(`baseline profiles select controls the catalog lacks: ${unknown.join(", ")}`);

  return Catalog.parse({
    id: "nist-800-53-r5",
    name: "NIST SP 800-53 Rev. 5",
    version: oscal.metadata.version,
    publisher: "National Institute of Standards and Technology (NIST)",
    source_url: "https://csrc.nist.gov/pubs/sp/800/53/r5/upd1/final",
    licence:
      "Public domain: a work of the U.S. Government (17 U.S.C. 105); NIST's OSCAL content is also dedicated under CC0 1.0.",
    description:
      "Security and Privacy Controls for Information Systems and Organizations: 20 control families, their controls and control enhancements, with SP 800-53B baseline membership. Statements are NIST's text (discussion and assessment text left out); withdrawn controls are kept, marked withdrawn, with where they were incorporated. Built from the OSCAL catalog of 2022-01-25 plus IA-13 and its three enhancements, added to the 5.1.1 dataset in November 2023.",
    aliases: ["800-53", "sp 800-53", "nist 800-53", "nist sp 800-53", "nist 800-53 rev 5", "800-53 r5"],
    sources: [
      {
        title: `${oscal.metadata.title}, OSCAL catalog version ${oscal.metadata.version} (last modified ${oscal.metadata["last-modified"]})`,
        url: "https://github.com/usnistgov/oscal-content/tree/main/nist.gov/SP800-53/rev5/json",
        licence: "Public domain (U.S. Government work); CC0 1.0",
        used_for:
          "families, control and enhancement ids, titles, statements, withdrawn status and incorporated-into links; read from the copy shipped in the npm package nist-controls@1.4.0 (MIT)",
      },
      {
        title: "NIST SP 800-53B baseline profiles (LOW, MODERATE, HIGH, PRIVACY), OSCAL 5.1.1+u4",
        url: "https://github.com/usnistgov/oscal-content/tree/main/nist.gov/SP800-53/rev5/json",
        licence: "Public domain (U.S. Government work); CC0 1.0",
        used_for: "baseline membership of each control and enhancement",
      },
      {
        title: "NIST SP 800-53 Rev. 5.1.1 (November 2023 dataset update adding IA-13, IA-13(1)-(3))",
        url: "https://csrc.nist.gov/projects/cprt/catalog#/cprt/framework/version/SP_800_53_5_1_1/home",
        licence: "Public domain (U.S. Government work)",
        used_for:
          "IA-13 and its enhancements (titles, statements), which the 2022 OSCAL copy predates; NIST's oscal-content history records the addition (commits of 2023-11, 'Add control enhancement IA-13.1 to catalog' …)",
      },
    ],
    requirements,
  });
}

const [catalogPath, profileDir] = process.argv.slice(2);
if (!catalogPath || !profileDir) {
  console.error("usage: nist-800-53.ts <NIST_SP-800-53_rev5_catalog.json> <directory of baseline profiles>");
  process.exit(2);
}
const catalog = build(catalogPath, profileDir);
writeJson(OUTPUT.pathname, catalog);
console.log(`${catalog.requirements.length} requirements written to ${OUTPUT.pathname}`);
