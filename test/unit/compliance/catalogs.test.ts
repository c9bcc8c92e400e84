/**
 * The shipped framework catalogs against the figures their publishers give, the integrity of each
 * catalog's tree, and the loader: listing without loading, cached loads, name resolution, lookups.
 * Expected counts come from the frameworks' own publications, never from the files under test.
 */
import { describe, expect, it, vi } from "vitest";
import { Catalog, isActive, type Requirement } from "#shared/compliance/catalog.ts";
import {
  byName,
  type CatalogId,
  findRequirement,
  isCatalogId,
  listCatalogs,
  loadCatalog,
  requirementTree,
} from "#shared/compliance/catalogs.ts";
import { ALL_CHECKS } from "#shared/posture/checks/index.ts";

const ALL_IDS: CatalogId[] = [
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

function active(catalog: Catalog, kind: Requirement["kind"]): Requirement[] {
  return catalog.requirements.filter((r) => r.kind === kind && isActive(r));
}

function childrenOf(catalog: Catalog, parentId: string): Requirement[] {
  return catalog.requirements.filter((r) => r.parent_id === parentId);
}

describe("catalog loading cost", () => {
  it("lists frameworks from the index alone, then loads every catalog once (timings printed, not asserted)", async () => {
    // Arrange: a fresh module instance, so nothing is cached from other tests in this file.
    vi.resetModules();
    const started = performance.now();
    const fresh = await import("#shared/compliance/catalogs.ts");

    // Act
    const listed = fresh.listCatalogs();
    const listedAt = performance.now();
    const catalogs = await Promise.all(listed.map((s) => (isCatalogId(s.id) ? fresh.loadCatalog(s.id) : undefined)));
    const loadedAt = performance.now();

    // Assert
    expect(catalogs.every((c) => c !== undefined)).toBe(true);
    console.log(
      `compliance catalogs: module + index ${(listedAt - started).toFixed(1)} ms; all ${listed.length} catalogs imported and validated ${(loadedAt - listedAt).toFixed(1)} ms`,
    );
  });

  it("shares one load between concurrent callers and later ones", async () => {
    const [first, second] = await Promise.all([loadCatalog("nist-800-53-r5"), loadCatalog("nist-800-53-r5")]);
    const later = await loadCatalog("nist-800-53-r5");

    expect(second).toBe(first);
    expect(later).toBe(first);
  });
});

describe("every catalog", () => {
  it.each(ALL_IDS)(
    "%s: validates, has unique ids, and every parent_id resolves to an earlier requirement",
    async (id) => {
      const catalog = await loadCatalog(id);

      const seen = new Set<string>();
      const problems: string[] = [];
      for (const r of catalog.requirements) {
        if (seen.has(r.id)) problems.push(`duplicate id ${r.id}`);
        if (r.parent_id !== undefined && !seen.has(r.parent_id))
          problems.push(`${r.id}: parent ${r.parent_id} unknown`);
        seen.add(r.id);
      }

      expect(catalog.id).toBe(id);
      expect(problems).toEqual([]);
      expect(catalog.sources.length).toBeGreaterThan(0);
      expect(catalog.licence.length).toBeGreaterThan(0);
    },
  );

  it.each(ALL_IDS)("%s: no active requirement sits under a withdrawn one", async (id) => {
    const catalog = await loadCatalog(id);
    const withdrawn = new Set(catalog.requirements.filter((r) => !isActive(r)).map((r) => r.id));

    const activeUnderWithdrawn = catalog.requirements.filter(
      (r) => isActive(r) && r.parent_id !== undefined && withdrawn.has(r.parent_id),
    );

    expect(activeUnderWithdrawn.map((r) => r.id)).toEqual([]);
  });

  it("are all in the index, and the index's counts match the catalogs", async () => {
    const listed = listCatalogs();

    const mismatches: string[] = [];
    for (const summary of listed) {
      if (!isCatalogId(summary.id)) {
        mismatches.push(`${summary.id} has no loader`);
        continue;
      }
      const catalog = await loadCatalog(summary.id);
      const activeCount = catalog.requirements.filter(isActive).length;
      if (summary.requirement_count !== catalog.requirements.length)
        mismatches.push(`${summary.id}: requirement_count`);
      if (summary.active_requirement_count !== activeCount) mismatches.push(`${summary.id}: active_requirement_count`);
      if (summary.name !== catalog.name || summary.version !== catalog.version) mismatches.push(`${summary.id}: name`);
    }

    expect(listed.map((s) => s.id).sort()).toEqual([...ALL_IDS].sort());
    expect(mismatches).toEqual([]);
  });

  it("rejects a requirement with a field the schema does not know", () => {
    const file = {
      id: "x",
      name: "X",
      version: "1",
      publisher: "p",
      source_url: "u",
      licence: "l",
      description: "d",
      aliases: [],
      sources: [{ title: "t", url: "u", licence: "l", used_for: "ids" }],
      requirements: [{ id: "1", title: "One", kind: "control", severity: "high" }],
    };

    expect(Catalog.safeParse(file).success).toBe(false);
  });
});

describe("NIST CSF 2.0 (NIST CSWP 29: 6 functions, 22 categories, 106 subcategories)", () => {
  it("has the published core, every subcategory under a category and every category under a function", async () => {
    const csf = await loadCatalog("nist-csf-2.0");

    const functions = active(csf, "function");
    const categories = active(csf, "category");
    const subcategories = active(csf, "subcategory");

    expect(functions.map((f) => f.id)).toEqual(["GV", "ID", "PR", "DE", "RS", "RC"]);
    expect(categories).toHaveLength(22);
    expect(subcategories).toHaveLength(106);
    expect(categories.every((c) => functions.some((f) => f.id === c.parent_id))).toBe(true);
    expect(subcategories.every((s) => categories.some((c) => c.id === s.parent_id))).toBe(true);
  });

  it("ships no withdrawn subcategory as active (ID.AM-06 and DE.CM-04 were withdrawn in 2.0)", async () => {
    expect(await findRequirement("nist-csf-2.0", "ID.AM-06")).toBeUndefined();
    expect(await findRequirement("nist-csf-2.0", "DE.CM-04")).toBeUndefined();
    expect((await findRequirement("nist-csf-2.0", "ID.AM-07"))?.kind).toBe("subcategory");
  });
});

describe("NIST SP 800-53 Rev. 5", () => {
  it("has the 20 families", async () => {
    const catalog = await loadCatalog("nist-800-53-r5");

    const families = active(catalog, "family").map((f) => f.id);

    expect(families).toEqual([
      "ac",
      "at",
      "au",
      "ca",
      "cm",
      "cp",
      "ia",
      "ir",
      "ma",
      "mp",
      "pe",
      "pl",
      "pm",
      "ps",
      "pt",
      "ra",
      "sa",
      "sc",
      "si",
      "sr",
    ]);
  });

  it("has the 1,189 controls and enhancements of the 5.1 OSCAL catalog plus IA-13 and its three enhancements", async () => {
    const catalog = await loadCatalog("nist-800-53-r5");

    const controls = catalog.requirements.filter((r) => r.kind === "control" || r.kind === "enhancement");

    expect(controls).toHaveLength(1189 + 4);
    expect(controls.filter((c) => c.id.startsWith("ia-13")).map((c) => c.id)).toEqual([
      "ia-13",
      "ia-13.1",
      "ia-13.2",
      "ia-13.3",
    ]);
  });

  it("matches the SP 800-53B baseline sizes (low 149, moderate 287, high 370, privacy 96), none withdrawn", async () => {
    const catalog = await loadCatalog("nist-800-53-r5");
    const inBaseline = (b: "low" | "moderate" | "high" | "privacy") =>
      catalog.requirements.filter((r) => r.baselines?.includes(b));

    expect(inBaseline("low")).toHaveLength(149);
    expect(inBaseline("moderate")).toHaveLength(287);
    expect(inBaseline("high")).toHaveLength(370);
    expect(inBaseline("privacy")).toHaveLength(96);
    expect(catalog.requirements.filter((r) => r.baselines && !isActive(r))).toEqual([]);
  });

  it("keeps withdrawn controls marked withdrawn, out of the active count, with where they went", async () => {
    const catalog = await loadCatalog("nist-800-53-r5");

    const ac13 = await findRequirement("nist-800-53-r5", "ac-13");
    const withdrawn = catalog.requirements.filter((r) => !isActive(r));
    const activeControls = active(catalog, "control").length + active(catalog, "enhancement").length;

    expect(ac13?.withdrawn).toBe(true);
    expect(ac13?.incorporated_into).toEqual(["ac-2", "au-6"]);
    expect(withdrawn.length).toBeGreaterThan(0);
    expect(activeControls + withdrawn.length).toBe(1189 + 4);
    expect(withdrawn.every((r) => r.description === undefined)).toBe(true);
  });

  it("renders statements with their parameters as 800-53 prints them", async () => {
    const ac2 = await findRequirement("nist-800-53-r5", "ac-2");

    expect(ac2?.title).toBe("Account Management");
    expect(ac2?.description).toContain("Require approvals by [Assignment: organization-defined personnel or roles]");
    expect(ac2?.description).not.toContain("{{");
  });
});

describe("ISO/IEC 27001:2022 Annex A (93 controls: 37 organizational, 8 people, 14 physical, 34 technological)", () => {
  it("has each theme with its published number of controls", async () => {
    const iso = await loadCatalog("iso-27001-2022");

    const perTheme = Object.fromEntries(active(iso, "theme").map((t) => [t.id, childrenOf(iso, t.id).length]));

    expect(active(iso, "control")).toHaveLength(93);
    expect(perTheme).toEqual({ "A.5": 37, "A.6": 8, "A.7": 14, "A.8": 34 });
  });

  it("numbers the controls of each theme 1..n without gaps", async () => {
    const iso = await loadCatalog("iso-27001-2022");

    const gaps = active(iso, "theme").filter((t) => {
      const numbers = childrenOf(iso, t.id).map((c) => Number(c.id.split(".")[2]));
      return numbers.some((n, i) => n !== i + 1);
    });

    expect(gaps).toEqual([]);
  });
});

describe("CIS Controls v8.1 (18 controls, 153 safeguards; IG1 56, IG2 +74, IG3 +23)", () => {
  it("has the controls and safeguards, each safeguard in its control", async () => {
    const cis = await loadCatalog("cis-controls-v8.1");

    const controls = active(cis, "control");
    const safeguards = active(cis, "safeguard");

    expect(controls.map((c) => c.id)).toEqual(Array.from({ length: 18 }, (_, i) => String(i + 1)));
    expect(safeguards).toHaveLength(153);
    expect(safeguards.every((s) => s.parent_id === s.id.split(".")[0])).toBe(true);
  });

  it("gives every safeguard its implementation groups, each group containing the ones below it", async () => {
    const cis = await loadCatalog("cis-controls-v8.1");
    const safeguards = active(cis, "safeguard");

    const inGroup = (g: "IG1" | "IG2" | "IG3") => safeguards.filter((s) => s.ig?.includes(g)).length;
    const nested = safeguards.every((s) => !s.ig?.includes("IG1") || s.ig.includes("IG2"));

    expect(inGroup("IG1")).toBe(56);
    expect(inGroup("IG2")).toBe(56 + 74);
    expect(inGroup("IG3")).toBe(153);
    expect(nested).toBe(true);
    expect((await findRequirement("cis-controls-v8.1", "14.9"))?.ig).toEqual(["IG2", "IG3"]);
    expect((await findRequirement("cis-controls-v8.1", "17.9"))?.ig).toEqual(["IG3"]);
  });
});

describe("SOC 2 Trust Services Criteria 2017", () => {
  it("has CC1-CC9, A1, C1, PI1 and P1-P8 with their 61 criteria", async () => {
    const soc2 = await loadCatalog("soc2-tsc-2017");

    const series = active(soc2, "series").map((s) => s.id);
    const count = (prefix: string) => active(soc2, "criterion").filter((c) => c.id.startsWith(prefix)).length;

    expect(series).toEqual([
      ...Array.from({ length: 9 }, (_, i) => `CC${i + 1}`),
      "A1",
      "C1",
      "PI1",
      ...Array.from({ length: 8 }, (_, i) => `P${i + 1}`),
    ]);
    expect(active(soc2, "criterion")).toHaveLength(61);
    expect([count("CC"), count("A1."), count("C1."), count("PI1."), count("P") - count("PI")]).toEqual([
      33, 3, 2, 5, 18,
    ]);
  });
});

describe("PCI DSS v4.0", () => {
  it("has the 12 principal requirements, each with its sub-requirements numbered from x.1", async () => {
    const pci = await loadCatalog("pci-dss-4.0");

    const requirements = active(pci, "requirement");
    const numbering = requirements.map((r) => childrenOf(pci, r.id).every((s, i) => s.id === `${r.id}.${i + 1}`));

    expect(requirements.map((r) => r.id)).toEqual(Array.from({ length: 12 }, (_, i) => String(i + 1)));
    expect(numbering.every(Boolean)).toBe(true);
    expect(childrenOf(pci, "12").at(-1)?.id).toBe("12.10");
  });
});

describe("HIPAA Security Rule (18 standards; 36 implementation specifications, 14 required and 22 addressable)", () => {
  it("has the administrative, physical and technical safeguards with their standards and specifications", async () => {
    const hipaa = await loadCatalog("hipaa-security-rule");

    const specs = active(hipaa, "implementation_specification");
    const perSection = Object.fromEntries(
      active(hipaa, "section").map((s) => [s.id, childrenOf(hipaa, s.id).filter((c) => c.kind === "standard").length]),
    );

    expect(perSection).toEqual({ "164.308": 9, "164.310": 4, "164.312": 5 });
    expect(specs).toHaveLength(36);
    expect(specs.filter((s) => s.obligation === "required")).toHaveLength(14);
    expect(specs.filter((s) => s.obligation === "addressable")).toHaveLength(22);
  });

  it("marks the standards without implementation specifications as required in themselves", async () => {
    const hipaa = await loadCatalog("hipaa-security-rule");

    const bare = active(hipaa, "standard").filter((s) => childrenOf(hipaa, s.id).length === 0);

    expect(bare.map((s) => s.id)).toEqual([
      "164.308(a)(2)",
      "164.308(a)(8)",
      "164.310(b)",
      "164.310(c)",
      "164.312(b)",
      "164.312(d)",
    ]);
    expect(bare.every((s) => s.obligation === "required")).toBe(true);
  });
});

describe("CIS AWS Foundations Benchmark v3.0.0", () => {
  it("has its recommendations in sections 1-5, each with a profile level", async () => {
    const aws = await loadCatalog("cis-aws-foundations-v3.0");

    const recommendations = active(aws, "recommendation");
    const topSections = active(aws, "section").filter((s) => s.parent_id === undefined);

    expect(topSections.map((s) => s.id)).toEqual(["1", "2", "3", "4", "5"]);
    expect(recommendations).toHaveLength(62);
    expect(recommendations.every((r) => r.level === "L1" || r.level === "L2")).toBe(true);
    expect((await findRequirement("cis-aws-foundations-v3.0", "1.5"))?.level).toBe("L1");
    expect((await findRequirement("cis-aws-foundations-v3.0", "1.6"))?.level).toBe("L2");
  });
});

describe("AWS Foundational Security Best Practices", () => {
  it("holds every FSBP control a cloud scan check maps to, as a control under its service's section", async () => {
    const fsbp = await loadCatalog("aws-fsbp");
    const mapped = [...new Set(ALL_CHECKS.flatMap((c) => c.frameworks["aws-fsbp"]))];

    const missing = mapped.filter((id) => !fsbp.requirements.some((r) => r.id === id && r.kind === "control"));
    const misplaced = fsbp.requirements.filter((r) => r.kind === "control" && r.parent_id !== r.id.split(".")[0]);

    expect(mapped.length).toBeGreaterThan(40);
    expect(missing).toEqual([]);
    expect(misplaced).toEqual([]);
  });

  it("carries the Security Hub severity of a control (root MFA and public S3 reads are critical)", async () => {
    expect((await findRequirement("aws-fsbp", "IAM.9"))?.description).toBe("Security Hub severity: critical.");
    expect((await findRequirement("aws-fsbp", "s3.2"))?.title).toBe("S3 buckets should prohibit public read access");
    expect(await findRequirement("aws-fsbp", "S3.999")).toBeUndefined();
  });
});

describe("requirementTree", () => {
  it("nests every requirement exactly once under its parent", async () => {
    const csf = await loadCatalog("nist-csf-2.0");

    const roots = await requirementTree("nist-csf-2.0");
    const flatten = (nodes: typeof roots): string[] => nodes.flatMap((n) => [n.id, ...flatten(n.children)]);
    const govern = roots.find((r) => r.id === "GV");

    expect(roots.map((r) => r.id)).toEqual(["GV", "ID", "PR", "DE", "RS", "RC"]);
    expect(flatten(roots).sort()).toEqual(csf.requirements.map((r) => r.id).sort());
    expect(govern?.children.map((c) => c.id)).toEqual(["GV.OC", "GV.RM", "GV.RR", "GV.PO", "GV.OV", "GV.SC"]);
  });
});

describe("findRequirement", () => {
  it("accepts the usual spellings of a requirement id", async () => {
    expect((await findRequirement("nist-800-53-r5", "AC-2(1)"))?.id).toBe("ac-2.1");
    expect((await findRequirement("nist-800-53-r5", "AC-02(01)"))?.id).toBe("ac-2.1");
    expect((await findRequirement("nist-800-53-r5", "SC-7"))?.id).toBe("sc-7");
    expect((await findRequirement("iso-27001-2022", "5.15"))?.id).toBe("A.5.15");
    expect((await findRequirement("nist-csf-2.0", "pr.aa-1"))?.id).toBe("PR.AA-01");
  });

  it("finds nothing for an unknown framework or requirement", async () => {
    expect(await findRequirement("nist-csf-3.0", "GV.OC-01")).toBeUndefined();
    expect(await findRequirement("nist-800-53-r5", "ac-99")).toBeUndefined();
  });
});

describe("byName", () => {
  it.each([
    ["nist", "nist-csf-2.0"],
    ["NIST CSF", "nist-csf-2.0"],
    ["ISO 27001", "iso-27001-2022"],
    ["iso-27001", "iso-27001-2022"],
    ["ISO/IEC 27001:2022", "iso-27001-2022"],
    ["NIST SP 800-53", "nist-800-53-r5"],
    ["800-53", "nist-800-53-r5"],
    ["cis controls", "cis-controls-v8.1"],
    ["CIS AWS Foundations", "cis-aws-foundations-v3.0"],
    ["FSBP", "aws-fsbp"],
    ["AWS Foundational Security Best Practices", "aws-fsbp"],
    ["SOC 2", "soc2-tsc-2017"],
    ["PCI-DSS", "pci-dss-4.0"],
    ["Hipaa", "hipaa-security-rule"],
    ["cis-controls-v8.1", "cis-controls-v8.1"],
  ])("resolves %j to %s", (name, id) => {
    expect(byName(name)?.id).toBe(id);
  });

  it("resolves nothing for an unknown or empty name", () => {
    expect(byName("cobit")).toBeUndefined();
    expect(byName(" - ")).toBeUndefined();
  });

  it("gives every alias to exactly one framework", () => {
    const owners = new Map<string, string[]>();
    for (const summary of listCatalogs()) {
      for (const alias of [summary.id, summary.name, ...summary.aliases]) {
        const key = alias.toLowerCase().replace(/[^a-z0-9]/g, "");
        owners.set(key, [...new Set([...(owners.get(key) ?? []), summary.id])]);
      }
    }

    const shared = [...owners].filter(([, ids]) => ids.length > 1);

    expect(shared).toEqual([]);
  });
});
