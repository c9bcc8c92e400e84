/**
 * The judgement calls inside the checks: what makes a bucket or a key public, what counts as an
 * administrator grant, when a check says MANUAL instead of guessing, and which ids stay stable.
 */
import { describe, expect, it } from "vitest";
import { CHECKS_BY_ID } from "#shared/posture/checks/index.ts";
import type { Inventory } from "#shared/posture/inventory.ts";
import {
  ACCOUNT,
  ALL_USERS,
  BLOCK_ALL,
  bucket,
  COLLECTED_AT,
  instance,
  inventory,
  kmsKey,
  lambdaFunction,
  managedPolicy,
  publicReadPolicy,
  REGION,
  trail,
} from "./fixtures.ts";

function run(checkId: string, inv: Inventory) {
  const check = CHECKS_BY_ID.get(checkId);
  if (!check) throw new Error(`no check ${checkId}`);
  return check.evaluate(inv);
}
const statuses = (checkId: string, inv: Inventory) => run(checkId, inv).map((r) => r.status);

describe("S3 public access", () => {
  it("fails a bucket made public by its policy alone", () => {
    const inv = inventory({
      s3: { Buckets: [bucket({ PublicAccessBlockConfiguration: null, Policy: publicReadPolicy("data-bucket") })] },
    });
    const [result] = run("s3_bucket_public_access", inv);
    expect(result?.status).toBe("FAIL");
    expect(result?.details).toContain("bucket policy");
  });

  it("passes a public ACL that the account-level IgnorePublicAcls neutralises", () => {
    const inv = inventory({
      account: { PublicAccessBlockConfiguration: BLOCK_ALL },
      s3: {
        Buckets: [
          bucket({
            PublicAccessBlockConfiguration: null,
            Acl: { Grants: [{ Grantee: { Type: "Group", URI: ALL_USERS }, Permission: "READ" }] },
          }),
        ],
      },
    });
    expect(statuses("s3_bucket_public_access", inv)).toEqual(["PASS"]);
    expect(statuses("s3_bucket_level_public_access_block", inv)).toEqual(["PASS"]);
  });

  it("does not call a Principal * statement public when a condition pins it to a VPC endpoint", () => {
    const policy = publicReadPolicy("data-bucket", {
      Condition: { StringEquals: { "aws:SourceVpce": "vpce-1a2b3c4d" } },
    });
    const inv = inventory({ s3: { Buckets: [bucket({ PublicAccessBlockConfiguration: null, Policy: policy })] } });
    expect(statuses("s3_bucket_public_access", inv)).toEqual(["PASS"]);
  });

  it("still calls it public when the condition only excludes someone (a negated operator)", () => {
    const policy = publicReadPolicy("data-bucket", {
      Condition: { StringNotEquals: { "aws:SourceVpce": "vpce-1a2b3c4d" } },
    });
    const inv = inventory({ s3: { Buckets: [bucket({ PublicAccessBlockConfiguration: null, Policy: policy })] } });
    expect(statuses("s3_bucket_public_access", inv)).toEqual(["FAIL"]);
  });

  it("trusts S3's own policy status over its own reading when the collector recorded it", () => {
    const inv = inventory({
      s3: {
        Buckets: [
          bucket({
            PublicAccessBlockConfiguration: null,
            Policy: publicReadPolicy("data-bucket"),
            PolicyStatus: { IsPublic: false },
          }),
        ],
      },
    });
    expect(statuses("s3_bucket_public_access", inv)).toEqual(["PASS"]);
  });
});

describe("administrator grants", () => {
  it("does not read Allow NotAction iam:* (PowerUserAccess) as *:*", () => {
    const arn = `arn:aws:iam::${ACCOUNT}:policy/power`;
    const doc = { Statement: [{ Effect: "Allow", NotAction: ["iam:*"], Resource: "*" }] };
    const inv = inventory({ iam: { Policies: [managedPolicy(arn, doc)] } });
    expect(statuses("iam_customer_attached_policy_no_administrative_privileges", inv)).toEqual(["PASS"]);
  });

  it("ignores unattached customer policies, even admin ones", () => {
    const arn = `arn:aws:iam::${ACCOUNT}:policy/unused-admin`;
    const inv = inventory({
      iam: { Policies: [managedPolicy(arn, { Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }, 0)] },
    });
    expect(run("iam_customer_attached_policy_no_administrative_privileges", inv)).toEqual([]);
  });
});

describe("MANUAL when the inventory cannot settle it", () => {
  it("root checks without a credential report or account summary", () => {
    const inv = inventory({ account: { CredentialReport: [] }, iam: {} });
    expect(statuses("iam_root_mfa_enabled", inv)).toEqual(["MANUAL"]);
    expect(statuses("iam_no_root_access_key", inv)).toEqual(["MANUAL"]);
    expect(statuses("iam_avoid_root_usage", inv)).toEqual(["MANUAL"]);
  });

  it("root MFA from the account summary when the credential report is missing", () => {
    const inv = inventory({ account: { CredentialReport: [] }, iam: { AccountSummary: { AccountMFAEnabled: 0 } } });
    expect(statuses("iam_root_mfa_enabled", inv)).toEqual(["FAIL"]);
  });

  it("a multi-region trail whose event selectors were not collected", () => {
    const inv = inventory({ cloudtrail: { Trails: [trail({ EventSelectors: undefined })] } });
    expect(statuses("cloudtrail_multi_region_enabled_logging_management_events", inv)).toEqual(["MANUAL"]);
  });

  it("a trail writing to a bucket in another account", () => {
    const inv = inventory({ cloudtrail: { Trails: [trail({ S3BucketName: "central-logs-elsewhere" })] } });
    expect(statuses("cloudtrail_logs_s3_bucket_is_not_publicly_accessible", inv)).toEqual(["MANUAL"]);
  });

  it("a key whose rotation status was not read, and a runtime missing from the deprecation table", () => {
    expect(
      statuses("kms_cmk_rotation_enabled", inventory({ kms: { Keys: [kmsKey({ KeyRotationEnabled: undefined })] } })),
    ).toEqual(["MANUAL"]);
    expect(
      statuses(
        "awslambda_function_using_supported_runtimes",
        inventory({ lambda: { Functions: [lambdaFunction({ Runtime: "cobol1.0" })] } }),
      ),
    ).toEqual(["MANUAL"]);
  });

  it("a region whose EBS default encryption was not collected", () => {
    expect(statuses("ec2_ebs_default_encryption", inventory())).toEqual(["MANUAL"]);
  });
});

describe("what each check skips", () => {
  it("AWS managed and asymmetric keys are not held to rotation", () => {
    const inv = inventory({
      kms: {
        Keys: [
          kmsKey({ KeyId: "aws", KeyManager: "AWS" }),
          kmsKey({ KeyId: "rsa", KeySpec: "RSA_2048", KeyRotationEnabled: false }),
        ],
      },
    });
    expect(run("kms_cmk_rotation_enabled", inv)).toEqual([]);
  });

  it("terminated instances and container-image functions produce no result", () => {
    expect(
      run(
        "ec2_instance_imdsv2_enabled",
        inventory({ ec2: { Instances: [instance({ State: { Name: "terminated" } })] } }),
      ),
    ).toEqual([]);
    const image = lambdaFunction({ Runtime: undefined, PackageType: "Image" });
    expect(run("awslambda_function_using_supported_runtimes", inventory({ lambda: { Functions: [image] } }))).toEqual(
      [],
    );
  });

  it("an instance with the metadata service off passes IMDSv2", () => {
    const inv = inventory({
      ec2: { Instances: [instance({ MetadataOptions: { HttpTokens: "optional", HttpEndpoint: "disabled" } })] },
    });
    expect(statuses("ec2_instance_imdsv2_enabled", inv)).toEqual(["PASS"]);
  });
});

describe("runtime deprecation is judged at collectedAt, not today", () => {
  const on = (collectedAt: string, runtime: string) =>
    statuses(
      "awslambda_function_using_supported_runtimes",
      inventory({ collectedAt, lambda: { Functions: [lambdaFunction({ Runtime: runtime })] } }),
    );

  it("passes the day before the deprecation date and fails on it", () => {
    expect(on("2026-04-29T23:00:00Z", "nodejs20.x")).toEqual(["PASS"]);
    expect(on("2026-04-30T00:00:00Z", "nodejs20.x")).toEqual(["FAIL"]);
  });

  it("names an upcoming deprecation in the passing result", () => {
    const [result] = run(
      "awslambda_function_using_supported_runtimes",
      inventory({ collectedAt: COLLECTED_AT, lambda: { Functions: [lambdaFunction({ Runtime: "nodejs20.x" })] } }),
    );
    expect(result?.status).toBe("PASS");
    expect(result?.details).toContain("2026-04-30");
  });
});

describe("resource ids do not change with the verdict", () => {
  it("a region without a trail and the same region with one share the resource id", () => {
    const without = run("cloudtrail_multi_region_enabled", inventory());
    const withTrail = run("cloudtrail_multi_region_enabled", inventory({ cloudtrail: { Trails: [trail()] } }));
    expect(without.map((r) => [r.resourceId, r.status])).toEqual([[`${ACCOUNT}/${REGION}`, "FAIL"]]);
    expect(withTrail.map((r) => [r.resourceId, r.status])).toEqual([[`${ACCOUNT}/${REGION}`, "PASS"]]);
  });

  it("a trail in its home region covers only that region unless it is multi-region", () => {
    const regional = trail({ IsMultiRegionTrail: false });
    const inv = inventory({ regions: [REGION, "eu-west-1"], cloudtrail: { Trails: [regional] } });
    expect(run("cloudtrail_multi_region_enabled", inv).map((r) => [r.region, r.status])).toEqual([
      [REGION, "PASS"],
      ["eu-west-1", "FAIL"],
    ]);
  });
});
