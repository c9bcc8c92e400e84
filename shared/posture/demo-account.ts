/**
 * A demo account (123456789012) in the shape collectors record, misconfigured on purpose so a first
 * scan has something to say, and the same account with those misconfigurations fixed, so the
 * "a re-scan resolves the alerts" path can be shown and tested.
 *
 * Planted in `demo-account.json` (collected 2026-03-02): a public S3 bucket (acme-public-assets), a
 * root user without MFA, SSH open to 0.0.0.0/0 (sg-0a1b2c3d4e5f60001), no CloudTrail trail at all, an
 * unencrypted EBS volume (vol-0f1e2d3c4b5a60002), a 120-day-old access key (ci-deployer's
 * AKIADEMOCIDEPLOYER01) and a customer KMS key that never rotates (1234abcd-…). Alongside them, a
 * compliant bucket, user, instance, database, key and function, and a few everyday gaps.
 */
import demo from "./demo-account.json" with { type: "json" };
import { type Inventory, parseInventory } from "./inventory.ts";

export const DEMO_ACCOUNT_ID = "123456789012";

export function loadDemoAccount(): Inventory {
  return parseInventory(demo);
}

/**
 * The demo account after its owner fixed the planted misconfigurations the way AWS users usually
 * do: some resources change in place (the bucket, the security group, the key), others are replaced
 * (the unencrypted volume by an encrypted copy, the old access key by a new one, left inactive).
 */
export function demoAccountFixed(): Inventory {
  const inv = structuredClone(loadDemoAccount());
  const account = inv.account.AccountId;

  const bucket = inv.s3.Buckets.find((b) => b.Name === "acme-public-assets");
  if (bucket) {
    bucket.Acl.Grants = bucket.Acl.Grants.filter((g) => g.Grantee.Type !== "Group");
    bucket.Policy = null;
    bucket.PublicAccessBlockConfiguration = {
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    };
  }

  for (const row of inv.account.CredentialReport) if (row.user === "<root_account>") row.mfa_active = "true";
  if (inv.iam.AccountSummary) inv.iam.AccountSummary.AccountMFAEnabled = 1;

  const bastion = inv.ec2.SecurityGroups.find((g) => g.GroupId === "sg-0a1b2c3d4e5f60001");
  if (bastion) {
    for (const rule of bastion.IpPermissions) rule.IpRanges = [{ CidrIp: "10.0.0.0/8" }];
  }

  inv.s3.Buckets.push({
    Name: "acme-cloudtrail-logs",
    CreationDate: "2026-03-02T08:00:00Z",
    region: "us-east-1",
    Acl: { Grants: [] },
    Policy: {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Deny",
          Principal: { AWS: ["*"] },
          Action: ["s3:*"],
          Resource: ["arn:aws:s3:::acme-cloudtrail-logs", "arn:aws:s3:::acme-cloudtrail-logs/*"],
          Condition: { Bool: { "aws:SecureTransport": ["false"] } },
        },
      ],
    },
    PublicAccessBlockConfiguration: {
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    },
    ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms" } }] },
    Versioning: { Status: "Enabled" },
    Logging: { LoggingEnabled: { TargetBucket: "acme-access-logs", TargetPrefix: "acme-cloudtrail-logs/" } },
  });
  inv.cloudtrail.Trails.push({
    Name: "org-audit",
    TrailARN: `arn:aws:cloudtrail:us-east-1:${account}:trail/org-audit`,
    HomeRegion: "us-east-1",
    region: "us-east-1",
    IsMultiRegionTrail: true,
    IsOrganizationTrail: false,
    LogFileValidationEnabled: true,
    KmsKeyId: `arn:aws:kms:us-east-1:${account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
    S3BucketName: "acme-cloudtrail-logs",
    CloudWatchLogsLogGroupArn: `arn:aws:logs:us-east-1:${account}:log-group:cloudtrail:*`,
    Status: { IsLogging: true, LatestCloudWatchLogsDeliveryTime: "2026-03-02T08:55:00Z" },
    EventSelectors: [{ ReadWriteType: "All", IncludeManagementEvents: true }],
  });

  const plain = inv.ec2.Volumes.find((v) => v.VolumeId === "vol-0f1e2d3c4b5a60002");
  if (plain) {
    inv.ec2.Volumes = inv.ec2.Volumes.filter((v) => v !== plain);
    inv.ec2.Volumes.push({ ...plain, VolumeId: "vol-0f1e2d3c4b5a60003", Encrypted: true });
  }

  const deployer = inv.iam.UserDetailList.find((u) => u.UserName === "ci-deployer");
  if (deployer) {
    for (const key of deployer.AccessKeys) key.Status = "Inactive";
    deployer.AccessKeys.push({
      AccessKeyId: "AKIADEMOCIDEPLOYER02",
      Status: "Active",
      CreateDate: "2026-02-28T10:00:00Z",
      AccessKeyLastUsed: { LastUsedDate: "2026-03-02T07:30:00Z", ServiceName: "s3", Region: "eu-west-1" },
    });
  }

  for (const key of inv.kms.Keys)
    if (key.KeyId === "1234abcd-12ab-34cd-56ef-1234567890ab") key.KeyRotationEnabled = true;

  // Parsed again so the fixed account is held to the same contract as anything a collector writes.
  return parseInventory(inv);
}
