/** The check registry: unique ids, complete metadata, and framework ids of the shape each framework uses. */
import { describe, expect, it } from "vitest";
import { FRAMEWORK_IDS, isControlId } from "#shared/posture/checks/frameworks.ts";
import { ALL_CHECKS, CHECKS_BY_ID, checksForService } from "#shared/posture/checks/index.ts";
import { CATEGORIES, RESOURCE_TYPES, SERVICES, SEVERITIES } from "#shared/posture/checks/types.ts";

// Prowler names Lambda checks after its "awslambda" service.
const ID_PREFIX: Record<string, string> = { lambda: "awslambda" };

describe("check registry", () => {
  it("holds at least 40 checks, each id once, and finds every one by id", () => {
    const ids = ALL_CHECKS.map((c) => c.id);
    expect(ids.length).toBeGreaterThanOrEqual(40);
    expect(new Set(ids).size).toBe(ids.length);
    for (const c of ALL_CHECKS) expect(CHECKS_BY_ID.get(c.id)).toBe(c);
  });

  it("names checks in snake_case after their service, as Prowler does", () => {
    for (const c of ALL_CHECKS) {
      expect(c.id).toMatch(/^[a-z0-9]+(_[a-z0-9]+)+$/);
      expect(c.id.startsWith(`${ID_PREFIX[c.service] ?? c.service}_`), c.id).toBe(true);
    }
  });

  it("has checks for every service, and groups them by service", () => {
    for (const service of SERVICES) {
      const checks = checksForService(service);
      expect(checks.length, service).toBeGreaterThan(0);
      expect(checks.every((c) => c.service === service)).toBe(true);
    }
  });

  it("gives every check complete metadata", () => {
    for (const c of ALL_CHECKS) {
      expect(c.title.trim(), c.id).not.toBe("");
      expect(c.risk.trim().length, c.id).toBeGreaterThan(20);
      expect(SEVERITIES, c.id).toContain(c.severity);
      expect(RESOURCE_TYPES, c.id).toContain(c.resourceType);
      for (const cat of c.categories) expect(CATEGORIES, c.id).toContain(cat);
      expect(c.remediation.cli.trim(), c.id).not.toBe("");
      expect(c.remediation.console.trim(), c.id).not.toBe("");
      if (c.remediation.url !== undefined)
        expect(c.remediation.url, c.id).toMatch(/^https:\/\/docs\.aws\.amazon\.com\//);
      expect(Object.keys(c.frameworks).sort(), c.id).toEqual([...FRAMEWORK_IDS].sort());
      expect(Object.values(c.frameworks).flat().length, `${c.id} maps to no framework control`).toBeGreaterThan(0);
    }
  });

  it("uses only control ids of the shape their framework gives them, each once per check", () => {
    for (const c of ALL_CHECKS) {
      for (const framework of FRAMEWORK_IDS) {
        const ids = c.frameworks[framework];
        expect(new Set(ids).size, `${c.id} ${framework}`).toBe(ids.length);
        for (const id of ids) expect(isControlId(framework, id), `${c.id} ${framework} ${id}`).toBe(true);
      }
    }
  });

  it("covers the controls the brief names (CIS 2.1.4, FSBP S3.8, root MFA, *:* policies)", () => {
    const cisOf = (id: string) => CHECKS_BY_ID.get(id)?.frameworks["cis-aws-foundations-v3.0"];
    expect(cisOf("s3_account_level_public_access_blocks")).toContain("2.1.4");
    expect(CHECKS_BY_ID.get("s3_bucket_level_public_access_block")?.frameworks["aws-fsbp"]).toContain("S3.8");
    expect(cisOf("iam_root_mfa_enabled")).toEqual(["1.5"]);
    expect(cisOf("iam_customer_attached_policy_no_administrative_privileges")).toEqual(["1.16"]);
  });
});

describe("control id shapes", () => {
  it("rejects CSF 1.1 categories and one-digit subcategories that CSF 2.0 does not use", () => {
    expect(isControlId("nist-csf-2.0", "PR.AA-05")).toBe(true);
    expect(isControlId("nist-csf-2.0", "GV.RR-04")).toBe(true);
    expect(isControlId("nist-csf-2.0", "PR.AC-03")).toBe(false);
    expect(isControlId("nist-csf-2.0", "PR.AA-5")).toBe(false);
    expect(isControlId("nist-csf-2.0", "DE.DP-04")).toBe(false);
  });

  it("accepts only ISO 27001:2022 Annex A numbers that exist", () => {
    expect(isControlId("iso-27001-2022", "A.8.24")).toBe(true);
    expect(isControlId("iso-27001-2022", "A.5.37")).toBe(true);
    expect(isControlId("iso-27001-2022", "A.8.35")).toBe(false);
    expect(isControlId("iso-27001-2022", "A.9.2.3")).toBe(false);
  });

  it("accepts CIS section numbers and FSBP service.number ids", () => {
    expect(isControlId("cis-aws-foundations-v3.0", "2.1.4")).toBe(true);
    expect(isControlId("cis-aws-foundations-v3.0", "CIS-2.1.4")).toBe(false);
    expect(isControlId("aws-fsbp", "CloudTrail.1")).toBe(true);
    expect(isControlId("aws-fsbp", "S3-8")).toBe(false);
  });
});
