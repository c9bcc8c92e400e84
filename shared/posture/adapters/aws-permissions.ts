/**
 * The IAM actions the AWS collectors (aws.ts) call, one per SDK command they send (paginators send
 * the same commands). It is the read-only policy the CDK app gives the scan's Validate and Collect
 * functions for scans of the platform's own account (`-c platformScanTenants`), and nothing more:
 * AWS's `SecurityAudit` and `ViewOnlyAccess` managed policies would cover these calls too, but they
 * grant several hundred read actions across every service and AWS changes them over time; the
 * scanner of the account that holds every tenant's data gets exactly what its code reads. A unit
 * test (test/unit/posture/aws-permissions.test.ts) holds this list equal to the commands aws.ts
 * imports, so a new collector call cannot ship without its permission (or with a stale one).
 *
 * STS GetCallerIdentity needs no permission (IAM cannot deny it) and is not listed.
 */

/** SDK command (as `<client package>:<Command name without "Command">`) → the IAM action it needs. */
export const COLLECTOR_ACTIONS: Readonly<Record<string, string>> = {
  "client-cloudtrail:DescribeTrails": "cloudtrail:DescribeTrails",
  "client-cloudtrail:GetEventSelectors": "cloudtrail:GetEventSelectors",
  "client-cloudtrail:GetTrailStatus": "cloudtrail:GetTrailStatus",
  "client-config-service:DescribeConfigurationRecorderStatus": "config:DescribeConfigurationRecorderStatus",
  "client-config-service:DescribeConfigurationRecorders": "config:DescribeConfigurationRecorders",
  "client-ec2:DescribeFlowLogs": "ec2:DescribeFlowLogs",
  "client-ec2:DescribeImages": "ec2:DescribeImages",
  "client-ec2:DescribeInstances": "ec2:DescribeInstances",
  "client-ec2:DescribeSecurityGroups": "ec2:DescribeSecurityGroups",
  "client-ec2:DescribeSnapshotAttribute": "ec2:DescribeSnapshotAttribute",
  "client-ec2:DescribeSnapshots": "ec2:DescribeSnapshots",
  "client-ec2:DescribeVolumes": "ec2:DescribeVolumes",
  "client-ec2:DescribeVpcs": "ec2:DescribeVpcs",
  "client-ec2:GetEbsEncryptionByDefault": "ec2:GetEbsEncryptionByDefault",
  "client-guardduty:GetDetector": "guardduty:GetDetector",
  "client-guardduty:ListDetectors": "guardduty:ListDetectors",
  "client-iam:GenerateCredentialReport": "iam:GenerateCredentialReport",
  "client-iam:GetAccessKeyLastUsed": "iam:GetAccessKeyLastUsed",
  "client-iam:GetAccountAuthorizationDetails": "iam:GetAccountAuthorizationDetails",
  "client-iam:GetAccountPasswordPolicy": "iam:GetAccountPasswordPolicy",
  "client-iam:GetAccountSummary": "iam:GetAccountSummary",
  "client-iam:GetCredentialReport": "iam:GetCredentialReport",
  "client-iam:GetLoginProfile": "iam:GetLoginProfile",
  "client-iam:ListAccessKeys": "iam:ListAccessKeys",
  "client-iam:ListAccountAliases": "iam:ListAccountAliases",
  "client-iam:ListMFADevices": "iam:ListMFADevices",
  "client-iam:ListVirtualMFADevices": "iam:ListVirtualMFADevices",
  "client-kms:DescribeKey": "kms:DescribeKey",
  "client-kms:GetKeyPolicy": "kms:GetKeyPolicy",
  "client-kms:GetKeyRotationStatus": "kms:GetKeyRotationStatus",
  "client-kms:ListKeys": "kms:ListKeys",
  "client-lambda:GetPolicy": "lambda:GetPolicy",
  "client-lambda:ListFunctionUrlConfigs": "lambda:ListFunctionUrlConfigs",
  "client-lambda:ListFunctions": "lambda:ListFunctions",
  "client-rds:DescribeDBInstances": "rds:DescribeDBInstances",
  // S3's action names differ from its API names in places (Service Authorization Reference).
  "client-s3:GetBucketAcl": "s3:GetBucketAcl",
  "client-s3:GetBucketEncryption": "s3:GetEncryptionConfiguration",
  "client-s3:GetBucketLocation": "s3:GetBucketLocation",
  "client-s3:GetBucketLogging": "s3:GetBucketLogging",
  "client-s3:GetBucketPolicy": "s3:GetBucketPolicy",
  "client-s3:GetBucketPolicyStatus": "s3:GetBucketPolicyStatus",
  "client-s3:GetBucketVersioning": "s3:GetBucketVersioning",
  "client-s3:GetPublicAccessBlock": "s3:GetBucketPublicAccessBlock",
  "client-s3:ListBuckets": "s3:ListAllMyBuckets",
  "client-s3-control:GetPublicAccessBlock": "s3:GetAccountPublicAccessBlock",
};

/** The distinct IAM actions, sorted: the platform scanner's whole read-only policy. */
export const PLATFORM_SCAN_ACTIONS: readonly string[] = [...new Set(Object.values(COLLECTOR_ACTIONS))].sort();
