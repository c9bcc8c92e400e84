/**
 * The demo account: each planted misconfiguration shows up under the right check and severity,
 * compliant resources pass, and the fixed account resolves every planted finding.
 */
import { describe, expect, it } from "vitest";
import { DEMO_ACCOUNT_ID, demoAccountFixed, loadDemoAccount } from "#shared/posture/demo-account.ts";
import { evaluate, findingKey } from "#shared/posture/evaluate.ts";

// What the demo was built to show, written from its description, not from a scan.
const PLANTED = [
  { checkId: "s3_bucket_public_access", resourceId: "acme-public-assets", severity: "critical" },
  { checkId: "iam_root_mfa_enabled", resourceId: "root", severity: "critical" },
  {
    checkId: "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22",
    resourceId: "sg-0a1b2c3d4e5f60001",
    severity: "high",
  },
  { checkId: "cloudtrail_multi_region_enabled", resourceId: "123456789012/us-east-1", severity: "high" },
  { checkId: "cloudtrail_multi_region_enabled", resourceId: "123456789012/eu-west-1", severity: "high" },
  { checkId: "ec2_ebs_volume_encryption", resourceId: "vol-0f1e2d3c4b5a60002", severity: "high" },
  { checkId: "iam_rotate_access_key_90_days", resourceId: "AKIADEMOCIDEPLOYER01", severity: "medium" },
  { checkId: "kms_cmk_rotation_enabled", resourceId: "1234abcd-12ab-34cd-56ef-1234567890ab", severity: "high" },
] as const;

const keyOf = (p: (typeof PLANTED)[number]) => findingKey(DEMO_ACCOUNT_ID, p.checkId, p.resourceId);

describe("demo account", () => {
  const report = evaluate(loadDemoAccount());
  const byKey = new Map(report.findings.map((f) => [f.key, f]));

  it("is account 123456789012 and scans without errors, one finding per key", () => {
    expect(report.accountId).toBe("123456789012");
    expect(report.errors).toEqual([]);
    expect(byKey.size).toBe(report.findings.length);
  });

  for (const planted of PLANTED) {
    it(`fails ${planted.checkId} on ${planted.resourceId} at ${planted.severity} severity`, () => {
      const finding = byKey.get(keyOf(planted));
      expect(finding?.status).toBe("FAIL");
      expect(finding?.severity).toBe(planted.severity);
    });
  }

  it("finds the access key 120 days old by the inventory's collectedAt", () => {
    expect(byKey.get(keyOf(PLANTED[6]))?.details).toContain("120 days old");
  });

  it("also has compliant resources that pass", () => {
    const passing = (checkId: string, resourceId: string) =>
      byKey.get(findingKey(DEMO_ACCOUNT_ID, checkId, resourceId))?.status;
    expect(passing("s3_bucket_public_access", "acme-app-data")).toBe("PASS");
    expect(passing("ec2_ebs_volume_encryption", "vol-0f1e2d3c4b5a60001")).toBe("PASS");
    expect(passing("kms_cmk_rotation_enabled", "5e6f7a8b-1c2d-4e5f-8a9b-0c1d2e3f4a5b")).toBe("PASS");
    expect(passing("iam_user_mfa_enabled_console_access", "alice")).toBe("PASS");
    expect(report.summary.passed).toBeGreaterThan(report.summary.failed);
  });
});

describe("demo account, fixed", () => {
  const before = evaluate(loadDemoAccount());
  const after = evaluate(demoAccountFixed());
  const afterByKey = new Map(after.findings.map((f) => [f.key, f]));

  it("resolves every planted finding: it passes under the same key, or its resource is gone", () => {
    for (const planted of PLANTED) {
      const finding = afterByKey.get(keyOf(planted));
      expect(finding === undefined || finding.status === "PASS", `${planted.checkId} ${planted.resourceId}`).toBe(true);
    }
  });

  it("keeps the key for resources fixed in place, so a re-scan updates rather than duplicates", () => {
    const inPlace = PLANTED.filter((p) => p.resourceId !== "vol-0f1e2d3c4b5a60002");
    for (const planted of inPlace) expect(afterByKey.get(keyOf(planted))?.status, planted.checkId).toBe("PASS");
  });

  it("scores higher, with fewer critical and high failures", () => {
    expect(after.score).toBeGreaterThan(before.score);
    for (const severity of ["critical", "high"] as const) {
      expect(after.summary.failedBySeverity[severity]).toBeLessThan(before.summary.failedBySeverity[severity]);
    }
  });

  it("does not change the recorded demo itself", () => {
    expect(evaluate(loadDemoAccount()).findings.map((f) => [f.key, f.status])).toEqual(
      before.findings.map((f) => [f.key, f.status]),
    );
  });
});
