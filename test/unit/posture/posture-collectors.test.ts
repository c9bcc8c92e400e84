/**
 * The AWS collectors against aws-sdk-client-mock (AWS control planes cannot run here): answers in
 * the SDK's recorded response shapes, pagination followed to the last page, a refusal (AccessDenied)
 * skipping the unit with its reason, throttling handed back to the state machine, and the parts
 * merged into an inventory the checks judge.
 */
import {
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSnapshotAttributeCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  EC2Client,
  GetEbsEncryptionByDefaultCommand,
} from "@aws-sdk/client-ec2";
import { GuardDutyClient, ListDetectorsCommand } from "@aws-sdk/client-guardduty";
import {
  DescribeKeyCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  KMSClient,
  ListKeysCommand,
} from "@aws-sdk/client-kms";
import {
  GetBucketAclCommand,
  GetBucketEncryptionCommand,
  GetBucketLocationCommand,
  GetBucketLoggingCommand,
  GetBucketPolicyCommand,
  GetBucketPolicyStatusCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  ListBucketsCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { GetPublicAccessBlockCommand as GetAccountBlock, S3ControlClient } from "@aws-sdk/client-s3-control";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { awsSource } from "#shared/posture/adapters/aws.ts";
import { evaluate } from "#shared/posture/evaluate.ts";
import { demoSource, mergeParts, Throttled, UnitRefused } from "#shared/posture/source.ts";

const ACCOUNT = "210987654321";
const KEYS = { access_key_id: "AKIAIOSFODNN7EXAMPLE", secret_access_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" };
const sts = mockClient(STSClient);
const ec2 = mockClient(EC2Client);
const s3 = mockClient(S3Client);
const s3control = mockClient(S3ControlClient);
const gd = mockClient(GuardDutyClient);
const kms = mockClient(KMSClient);

const awsError = (name: string, message = name) => Object.assign(new Error(message), { name, $fault: "client" });

afterEach(() => {
  for (const m of [sts, ec2, s3, s3control, gd, kms]) m.reset();
});

function inventoryOf(...parts: Awaited<ReturnType<ReturnType<typeof awsSource>["collect"]>>[]) {
  return mergeParts(
    { accountId: ACCOUNT, collectedAt: "2026-03-02T12:00:00.000Z", regions: ["us-east-1"] },
    parts.map((p) => p.part),
  );
}

describe("AWS collectors", () => {
  it("validates the credentials with STS GetCallerIdentity", async () => {
    sts
      .on(GetCallerIdentityCommand)
      .resolves({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/scanner`, UserId: "AIDA" });
    const who = await awsSource(KEYS, "us-east-1").identity();
    expect(who).toEqual({ accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/scanner` });
  });

  it("follows EC2 pagination to the last page and judges what it read", async () => {
    ec2
      .on(DescribeSecurityGroupsCommand)
      .resolvesOnce({
        SecurityGroups: [
          {
            GroupId: "sg-0000000000000000a",
            GroupName: "bastion",
            VpcId: "vpc-1",
            IpPermissions: [{ IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "0.0.0.0/0" }] }],
            IpPermissionsEgress: [],
          },
        ],
        NextToken: "page-2",
      })
      .resolvesOnce({
        SecurityGroups: [{ GroupId: "sg-0000000000000000b", GroupName: "internal", VpcId: "vpc-1", IpPermissions: [] }],
      });
    ec2.on(DescribeInstancesCommand).resolves({
      Reservations: [
        {
          Instances: [
            {
              InstanceId: "i-0123456789abcdef0",
              State: { Name: "running", Code: 16 },
              MetadataOptions: { HttpTokens: "optional", HttpEndpoint: "enabled" },
              SecurityGroups: [{ GroupId: "sg-0000000000000000a", GroupName: "bastion" }],
              LaunchTime: new Date("2026-01-01T00:00:00Z"),
            },
          ],
        },
      ],
    });
    ec2.on(DescribeVolumesCommand).resolves({
      Volumes: [
        { VolumeId: "vol-1", Encrypted: false, Size: 8, State: "in-use", CreateTime: new Date("2026-01-01T00:00:00Z") },
      ],
    });
    ec2.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
    ec2.on(DescribeImagesCommand).resolves({ Images: [] });
    ec2.on(GetEbsEncryptionByDefaultCommand).resolves({ EbsEncryptionByDefault: false });

    const unit = await awsSource(KEYS, "us-east-1").collect("ec2", "us-east-1");
    expect(ec2.commandCalls(DescribeSecurityGroupsCommand)).toHaveLength(2);
    expect(ec2.commandCalls(DescribeSecurityGroupsCommand)[1]?.args[0].input).toMatchObject({ NextToken: "page-2" });
    expect(unit.resources).toBe(4);

    const report = evaluate(inventoryOf(unit), { services: ["ec2"] });
    const failed = (id: string) =>
      report.findings.filter((f) => f.checkId === id && f.status === "FAIL").map((f) => f.resourceId);
    expect(failed("ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22")).toEqual(["sg-0000000000000000a"]);
    expect(failed("ec2_ebs_volume_encryption")).toEqual(["vol-1"]);
    expect(failed("ec2_instance_imdsv2_enabled")).toEqual(["i-0123456789abcdef0"]);
  });

  it("reads each snapshot's sharing in a deep scan only; a quick scan leaves the check MANUAL", async () => {
    const mock = () => {
      ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [] });
      ec2.on(DescribeInstancesCommand).resolves({ Reservations: [] });
      ec2.on(DescribeVolumesCommand).resolves({ Volumes: [] });
      ec2
        .on(DescribeSnapshotsCommand)
        .resolves({ Snapshots: [{ SnapshotId: "snap-0123456789abcdef0", Encrypted: true, OwnerId: ACCOUNT }] });
      ec2.on(DescribeSnapshotAttributeCommand).resolves({ CreateVolumePermissions: [{ Group: "all" }] });
      ec2.on(DescribeImagesCommand).resolves({ Images: [] });
      ec2.on(GetEbsEncryptionByDefaultCommand).resolves({ EbsEncryptionByDefault: true });
    };
    const verdict = (unit: Awaited<ReturnType<ReturnType<typeof awsSource>["collect"]>>) =>
      evaluate(inventoryOf(unit), { checks: ["ec2_ebs_public_snapshot"] }).findings.map((f) => f.status);

    mock();
    const quick = await awsSource(KEYS, "us-east-1").collect("ec2", "us-east-1", "quick");
    expect(ec2.commandCalls(DescribeSnapshotAttributeCommand)).toHaveLength(0);
    expect(verdict(quick)).toEqual(["MANUAL"]);

    ec2.reset();
    mock();
    const deep = await awsSource(KEYS, "us-east-1").collect("ec2", "us-east-1", "deep");
    expect(ec2.commandCalls(DescribeSnapshotAttributeCommand)).toHaveLength(1);
    expect(verdict(deep)).toEqual(["FAIL"]);
  });

  it("gives the demo account the same quick/deep split: no credential report in a quick scan", async () => {
    const demo = demoSource("misconfigured");
    const quick = await demo.collect("iam", "us-east-1", "quick");
    const deep = await demo.collect("iam", "us-east-1", "deep");
    expect(quick.part.account).not.toHaveProperty("CredentialReport");
    expect(deep.part.account?.CredentialReport?.length).toBeGreaterThan(0);
    const root = (unit: typeof quick) =>
      evaluate(
        mergeParts({ accountId: "123456789012", collectedAt: "2026-03-02T12:00:00.000Z", regions: ["us-east-1"] }, [
          unit.part,
        ]),
        { checks: ["iam_avoid_root_usage", "iam_root_mfa_enabled"] },
      ).findings.map((f) => `${f.checkId}:${f.status}`);
    // Root MFA falls back to the account summary (quick); root's last use is in the report only.
    expect(root(quick)).toEqual(["iam_avoid_root_usage:MANUAL", "iam_root_mfa_enabled:FAIL"]);
    expect(root(deep)).toEqual(["iam_avoid_root_usage:PASS", "iam_root_mfa_enabled:FAIL"]);
  });

  it("reads S3 buckets in their own region, treats 'no policy' as none, and finds a public ACL", async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: "arn" });
    s3.on(ListBucketsCommand).resolves({
      Buckets: [{ Name: "open-data", CreationDate: new Date("2025-05-05T00:00:00Z") }],
    });
    s3.on(GetBucketLocationCommand).resolves({ LocationConstraint: "EU" as never });
    s3.on(GetBucketAclCommand).resolves({
      Grants: [
        { Grantee: { Type: "Group", URI: "http://acs.amazonaws.com/groups/global/AllUsers" }, Permission: "READ" },
      ],
    });
    s3.on(GetBucketPolicyCommand).rejects(awsError("NoSuchBucketPolicy"));
    s3.on(GetBucketPolicyStatusCommand).rejects(awsError("NoSuchBucketPolicy"));
    s3.on(GetPublicAccessBlockCommand).rejects(awsError("NoSuchPublicAccessBlockConfiguration"));
    s3.on(GetBucketEncryptionCommand).resolves({
      ServerSideEncryptionConfiguration: {
        Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }],
      },
    });
    s3.on(GetBucketVersioningCommand).resolves({});
    s3.on(GetBucketLoggingCommand).resolves({});
    s3control.on(GetAccountBlock).rejects(awsError("NoSuchPublicAccessBlockConfiguration"));

    const unit = await awsSource(KEYS, "us-east-1").collect("s3", "us-east-1");
    const inv = inventoryOf(unit);
    expect(inv.s3.Buckets[0]).toMatchObject({ Name: "open-data", region: "eu-west-1", Policy: null });
    const pub = evaluate(inv, { services: ["s3"] }).findings.find((f) => f.checkId === "s3_bucket_public_access");
    expect(pub).toMatchObject({ status: "FAIL", resourceId: "open-data", severity: "critical" });
  });

  it("reads KMS rotation of customer keys only", async () => {
    kms.on(ListKeysCommand).resolves({ Keys: [{ KeyId: "k-1" }, { KeyId: "k-aws" }] });
    kms.on(DescribeKeyCommand, { KeyId: "k-1" }).resolves({
      KeyMetadata: {
        KeyId: "k-1",
        Arn: `arn:aws:kms:us-east-1:${ACCOUNT}:key/k-1`,
        KeyManager: "CUSTOMER",
        KeyState: "Enabled",
        KeySpec: "SYMMETRIC_DEFAULT",
      },
    });
    kms.on(DescribeKeyCommand, { KeyId: "k-aws" }).resolves({
      KeyMetadata: {
        KeyId: "k-aws",
        Arn: `arn:aws:kms:us-east-1:${ACCOUNT}:key/k-aws`,
        KeyManager: "AWS",
        KeyState: "Enabled",
      },
    });
    kms.on(GetKeyRotationStatusCommand).resolves({ KeyRotationEnabled: false });
    kms.on(GetKeyPolicyCommand).resolves({ Policy: JSON.stringify({ Version: "2012-10-17", Statement: [] }) });
    const unit = await awsSource(KEYS, "us-east-1").collect("kms", "us-east-1");
    expect(kms.commandCalls(GetKeyRotationStatusCommand)).toHaveLength(1);
    const rotation = evaluate(inventoryOf(unit), { services: ["kms"] }).findings.filter(
      (f) => f.checkId === "kms_cmk_rotation_enabled",
    );
    expect(rotation.map((f) => [f.resourceId, f.status])).toEqual([["k-1", "FAIL"]]);
  });

  it("skips a unit AWS refuses, with the reason, and hands throttling back to the state machine", async () => {
    gd.on(ListDetectorsCommand).rejects(
      awsError("AccessDeniedException", "not authorized to perform guardduty:ListDetectors"),
    );
    const denied = awsSource(KEYS, "us-east-1").collect("guardduty", "eu-west-1");
    await expect(denied).rejects.toBeInstanceOf(UnitRefused);
    await expect(denied).rejects.toThrow("AccessDeniedException: the credentials may not read guardduty in eu-west-1");

    gd.reset();
    gd.on(ListDetectorsCommand).rejects(awsError("ThrottlingException", "Rate exceeded"));
    await expect(awsSource(KEYS, "us-east-1").collect("guardduty", "us-east-1")).rejects.toBeInstanceOf(Throttled);
  });
});
