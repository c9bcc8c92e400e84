/**
 * The scan result: stable finding keys, the filters, per-finding risk, and the account score's
 * properties (all pass → 10, more or worse failures → lower), from the formula documented in evaluate.ts.
 */
import { describe, expect, it } from "vitest";
import type { CheckDefinition, Result, Severity } from "#shared/posture/checks/types.ts";
import { type CheckTally, evaluate, findingKey, postureScore, riskScore } from "#shared/posture/evaluate.ts";
import type { Inventory } from "#shared/posture/inventory.ts";
import { ACCOUNT, bucket, inventory, REGION, securityGroup, trail, user } from "./fixtures.ts";

/** A stand-in check whose verdicts the test chooses. */
function fakeCheck(
  id: string,
  severity: Severity,
  statuses: Result["status"][],
  categories: CheckDefinition["categories"] = [],
) {
  return {
    id,
    title: id,
    service: "ec2",
    severity,
    resourceType: "Other",
    categories,
    risk: "test",
    remediation: { cli: "-", console: "-" },
    frameworks: { "cis-aws-foundations-v3.0": [], "aws-fsbp": [], "nist-csf-2.0": [], "iso-27001-2022": [] },
    evaluate: () => statuses.map((status, i) => ({ status, resourceId: `r${i}`, region: REGION, details: "" })),
  } satisfies CheckDefinition;
}

const tally = (checkId: string, severity: Severity, passed: number, failed: number): CheckTally => ({
  checkId,
  severity,
  passed,
  failed,
});

describe("findings", () => {
  const twoRegions = () =>
    inventory({
      regions: [REGION, "eu-west-1"],
      s3: { Buckets: [bucket({ Name: "a" }), bucket({ Name: "b", region: "eu-west-1" })] },
      ec2: {
        SecurityGroups: [
          securityGroup({ GroupId: "sg-1" }),
          securityGroup({ GroupId: "sg-2", region: "eu-west-1", IpPermissions: [] }),
        ],
      },
      iam: { UserDetailList: [user({ UserName: "alice" }), user({ UserName: "bob" })] },
    });

  it("keys every finding by (account, check, resource), uniquely across regions", () => {
    const report = evaluate(twoRegions());
    const keys = report.findings.map((f) => f.key);
    expect(new Set(keys).size).toBe(keys.length);
    for (const f of report.findings) expect(f.key).toBe(findingKey(ACCOUNT, f.checkId, f.resourceId));
  });

  it("gives a resource the same key when its verdict changes between scans", () => {
    const before = evaluate(inventory({ s3: { Buckets: [bucket({ Versioning: {} })] } }), {
      checks: ["s3_bucket_object_versioning"],
    });
    const after = evaluate(inventory({ s3: { Buckets: [bucket()] } }), { checks: ["s3_bucket_object_versioning"] });
    expect(before.findings.map((f) => [f.key, f.status])).toEqual([
      [`${ACCOUNT}|s3_bucket_object_versioning|data-bucket`, "FAIL"],
    ]);
    expect(after.findings.map((f) => [f.key, f.status])).toEqual([
      [`${ACCOUNT}|s3_bucket_object_versioning|data-bucket`, "PASS"],
    ]);
  });

  it("runs only the named checks or services, and keeps global results when filtering regions", () => {
    const inv = twoRegions();
    const byId = evaluate(inv, { checks: ["s3_bucket_default_encryption"] });
    expect(new Set(byId.findings.map((f) => f.checkId))).toEqual(new Set(["s3_bucket_default_encryption"]));

    const byService = evaluate(inv, { services: ["ec2", "iam"] });
    expect(new Set(byService.findings.map((f) => f.service))).toEqual(new Set(["ec2", "iam"]));

    const euOnly = evaluate(inv, { regions: ["eu-west-1"] });
    expect(new Set(euOnly.findings.map((f) => f.region))).toEqual(new Set(["eu-west-1", "global"]));
    expect(euOnly.findings.some((f) => f.resourceId === "alice")).toBe(true);
  });

  it("runs a check named twice only once", () => {
    const report = evaluate(twoRegions(), { checks: ["s3_bucket_default_encryption", "s3_bucket_default_encryption"] });
    expect(report.findings.map((f) => f.resourceId).sort()).toEqual(["a", "b"]);
  });

  it("refuses an unknown check id rather than scanning less than asked", () => {
    expect(() => evaluate(inventory(), { checks: ["s3_bucket_made_up"] })).toThrow(RangeError);
  });

  it("reports a check that throws and still counts the others", () => {
    const broken = {
      ...fakeCheck("ec2_broken", "high", []),
      evaluate: (): Result[] => {
        throw new Error("boom");
      },
    };
    const fine = fakeCheck("ec2_fine", "low", ["PASS"]);
    const report = evaluate(inventory(), { checks: [broken, fine] });
    expect(report.errors).toEqual([{ checkId: "ec2_broken", message: "boom" }]);
    expect(report.findings.map((f) => f.checkId)).toEqual(["ec2_fine"]);
    expect(report.checksRun).toBe(1);
  });

  it("sums results by status, and failures by severity and service", () => {
    const report = evaluate(inventory(), {
      checks: [fakeCheck("ec2_a", "critical", ["FAIL", "FAIL", "PASS"]), fakeCheck("ec2_b", "low", ["FAIL", "MANUAL"])],
    });
    expect(report.summary).toEqual({
      passed: 1,
      failed: 3,
      manual: 1,
      failedBySeverity: { critical: 2, high: 0, medium: 0, low: 1, informational: 0 },
      failedByService: { ec2: 3 },
    });
  });
});

describe("risk score per finding", () => {
  it("scores a failure by severity band, one more when internet-exposed, capped at 10", () => {
    expect(riskScore({ severity: "critical", categories: ["internet-exposed"] }, "FAIL")).toBe(10);
    expect(riskScore({ severity: "critical", categories: [] }, "FAIL")).toBe(9);
    expect(riskScore({ severity: "high", categories: ["internet-exposed"] }, "FAIL")).toBe(8);
    expect(riskScore({ severity: "medium", categories: ["encryption"] }, "FAIL")).toBe(5);
    expect(riskScore({ severity: "low", categories: [] }, "FAIL")).toBe(3);
  });

  it("gives passing and manual results no risk", () => {
    expect(riskScore({ severity: "critical", categories: ["internet-exposed"] }, "PASS")).toBe(0);
    expect(riskScore({ severity: "critical", categories: [] }, "MANUAL")).toBe(0);
  });
});

describe("account score", () => {
  it("is 10 when everything passes, and when nothing could be judged", () => {
    expect(postureScore([tally("a", "critical", 3, 0), tally("b", "low", 1, 0)])).toBe(10);
    expect(postureScore([])).toBe(10);
    expect(evaluate(inventory(), { checks: [fakeCheck("ec2_m", "high", ["MANUAL"])] }).score).toBe(10);
  });

  it("matches the documented formula on a worked example", () => {
    // critical all passing (w 16, rate 1) + medium all failing (w 4, rate 0): 10 × 16 / 20 = 8.
    expect(postureScore([tally("a", "critical", 2, 0), tally("b", "medium", 0, 5)])).toBeCloseTo(8, 10);
    // high half passing (w 8, rate ½) + low passing (w 2): 10 × (4 + 2) / 10 = 6.
    expect(postureScore([tally("a", "high", 1, 1), tally("b", "low", 1, 0)])).toBeCloseTo(6, 10);
  });

  it("drops with every added failure", () => {
    const base = [tally("a", "high", 4, 1), tally("b", "medium", 3, 0)];
    const oneMore = [tally("a", "high", 4, 2), tally("b", "medium", 3, 0)];
    const newFailingCheck = [...base, tally("c", "low", 0, 1)];
    expect(postureScore(oneMore)).toBeLessThan(postureScore(base));
    expect(postureScore(newFailingCheck)).toBeLessThan(postureScore(base));
  });

  it("drops further when the same failure is more severe", () => {
    const passing = tally("ok", "medium", 5, 0);
    const scores = (["informational", "low", "medium", "high", "critical"] as const).map((s) =>
      postureScore([passing, tally("bad", s, 0, 1)]),
    );
    for (let i = 1; i < scores.length; i++) expect(scores[i]).toBeLessThan(scores[i - 1] ?? Number.NaN);
  });

  it("does not let many passing resources hide a failing account-level check", () => {
    const manyVolumes = tally("vol", "high", 1000, 0);
    const rootMfa = tally("root", "critical", 0, 1);
    expect(postureScore([manyVolumes, rootMfa])).toBeLessThan(5);
  });
});

describe("improvement areas", () => {
  function scanned(inv: Inventory) {
    return evaluate(inv, {
      checks: [
        "s3_bucket_object_versioning",
        "s3_bucket_default_encryption",
        "cloudtrail_log_file_validation_enabled",
        "iam_user_mfa_enabled_console_access",
      ],
    });
  }
  const inv = inventory({
    s3: { Buckets: [bucket({ Versioning: {}, ServerSideEncryptionConfiguration: null })] },
    cloudtrail: { Trails: [trail({ LogFileValidationEnabled: false })] },
    iam: { UserDetailList: [user()] },
  });

  it("lists only areas with failures, largest potential gain first", () => {
    const { improvementAreas } = scanned(inv);
    expect(improvementAreas.map((a) => `${a.kind}:${a.name}`)).not.toContain("service:iam");
    const gains = improvementAreas.map((a) => a.potentialImprovement);
    expect(gains).toEqual([...gains].sort((a, b) => b - a));
    expect(improvementAreas[0]).toMatchObject({ kind: "service", name: "s3", failedResults: 2 });
  });

  it("predicts the score a fix of that area actually yields", () => {
    const before = scanned(inv);
    const s3 = before.improvementAreas.find((a) => a.kind === "service" && a.name === "s3");
    const fixed = inventory({
      s3: { Buckets: [bucket()] },
      cloudtrail: { Trails: [trail({ LogFileValidationEnabled: false })] },
      iam: { UserDetailList: [user()] },
    });
    const after = scanned(fixed);
    expect(after.score - before.score).toBeCloseTo(s3?.potentialImprovement ?? Number.NaN, 1);
    expect(s3?.currentScore).toBe(0);
  });
});
