/**
 * Everything that points into the catalogs must land on a real, active requirement: the CSF 2.0 →
 * 800-53 crosswalk, the evidence bindings and the checklist templates' references.
 */
import { describe, expect, it } from "vitest";
import { isActive } from "#shared/compliance/catalog.ts";
import { findRequirement, isCatalogId, loadMappings, mappingsFor } from "#shared/compliance/catalogs.ts";
import { checklistTemplate, checklistTemplates, SystemType } from "#shared/compliance/checklist-templates.ts";
import {
  checksFor,
  EVIDENCE_BINDINGS,
  EVIDENCE_CHECK_IDS,
  EVIDENCE_CHECKS,
  requirementsFor,
} from "#shared/compliance/evidence-bindings.ts";

/** Each reference that does not resolve to an active requirement, as "framework:id". */
async function unresolved(references: { framework_id: string; requirement_id: string }[]): Promise<string[]> {
  const missing: string[] = [];
  for (const { framework_id, requirement_id } of references) {
    const found = await findRequirement(framework_id, requirement_id);
    // Exact ids only: a stored reference must not depend on spelling tolerance.
    if (!found || found.id !== requirement_id || !isActive(found)) missing.push(`${framework_id}:${requirement_id}`);
  }
  return missing;
}

describe("CSF 2.0 → SP 800-53 mapping", () => {
  it("joins existing, active requirements at both ends of every pair", async () => {
    const [mapping] = await loadMappings();
    if (!mapping) throw new Error("no mapping shipped");

    const ends = mapping.pairs.flatMap(([from, to]) => [
      { framework_id: mapping.from, requirement_id: from },
      { framework_id: mapping.to, requirement_id: to },
    ]);

    expect(mapping.pairs.length).toBeGreaterThan(0);
    expect(new Set(mapping.pairs.map((p) => p.join(" "))).size).toBe(mapping.pairs.length);
    expect(await unresolved(ends)).toEqual([]);
  });

  it("relates a CSF outcome to the 800-53 controls NIST cites for it, and back", async () => {
    const forward = await mappingsFor("nist-csf-2.0", "GV.OC-01");
    const back = await mappingsFor("nist-800-53-r5", "PM-11");

    expect(forward).toContainEqual({ framework_id: "nist-800-53-r5", requirement_id: "pm-11" });
    expect(back).toContainEqual({ framework_id: "nist-csf-2.0", requirement_id: "GV.OC-01" });
  });

  it("relates nothing to an unknown requirement or a framework without mappings", async () => {
    expect(await mappingsFor("nist-csf-2.0", "GV.XX-99")).toEqual([]);
    expect(await mappingsFor("pci-dss-4.0", "1.1")).toEqual([]);
  });
});

describe("evidence bindings", () => {
  it("bind every listed check, and only listed checks, at least once", () => {
    const bound = new Set(EVIDENCE_BINDINGS.map((b) => b.check_id));

    expect(EVIDENCE_BINDINGS.length).toBeGreaterThanOrEqual(15);
    expect([...bound].sort()).toEqual([...EVIDENCE_CHECK_IDS].sort());
    expect(EVIDENCE_CHECK_IDS.every((id) => EVIDENCE_CHECKS[id].length > 0)).toBe(true);
  });

  it("point only at requirements that exist and are active", async () => {
    expect(await unresolved([...EVIDENCE_BINDINGS])).toEqual([]);
  });

  it("cover CIS Controls v8.1 and NIST CSF 2.0, with some 800-53 and ISO", () => {
    const frameworks = new Set<string>(EVIDENCE_BINDINGS.map((b) => b.framework_id));

    for (const id of ["cis-controls-v8.1", "nist-csf-2.0", "nist-800-53-r5", "iso-27001-2022"]) {
      expect(frameworks.has(id), id).toBe(true);
    }
  });

  it("can be read from either end", () => {
    const mfa = requirementsFor("mfa_enforced_for_admins");

    expect(mfa).toContainEqual({
      check_id: "mfa_enforced_for_admins",
      framework_id: "cis-controls-v8.1",
      requirement_id: "6.5",
    });
    expect(checksFor("cis-controls-v8.1", "6.5")).toEqual(["mfa_enforced_for_admins"]);
    expect(checksFor("cis-controls-v8.1", "18.5")).toEqual([]);
  });
});

describe("checklist templates", () => {
  it("exist for every system type of the spec, with 8 to 20 items each", () => {
    const counts = SystemType.options.map((type) => checklistTemplate(type)?.items.length ?? 0);

    expect(
      checklistTemplates()
        .map((t) => t.system_type)
        .sort(),
    ).toEqual([...SystemType.options].sort());
    expect(counts.every((n) => n >= 8 && n <= 20)).toBe(true);
  });

  it("give every item an id unique across all templates", () => {
    const ids = checklistTemplates().flatMap((t) => t.items.map((i) => i.id));

    expect(new Set(ids).size).toBe(ids.length);
  });

  it("name the system type in each item id, so ids stay readable and cannot collide", () => {
    const strays = checklistTemplates().flatMap((t) => t.items.filter((i) => !i.id.startsWith(`${t.system_type}-`)));

    expect(strays).toEqual([]);
  });

  it("reference only existing, active catalog requirements", async () => {
    const references = checklistTemplates().flatMap((t) => t.items.flatMap((i) => (i.reference ? [i.reference] : [])));

    expect(references.length).toBeGreaterThan(0);
    expect(references.every((r) => isCatalogId(r.framework_id))).toBe(true);
    expect(await unresolved(references)).toEqual([]);
  });
});
