/**
 * Every registered check, on one inventory where its resource complies and one where it does not.
 * The table must cover the registry exactly, so a check cannot be added without both cases.
 */
import { describe, expect, it } from "vitest";
import { ALL_CHECKS, CHECKS_BY_ID } from "#shared/posture/checks/index.ts";
import type { Inventory } from "#shared/posture/inventory.ts";
import {
  ACCOUNT,
  ADMIN_DOC,
  ALL_USERS,
  accessKey,
  BLOCK_ALL,
  bucket,
  daysAgo,
  db,
  instance,
  inventory,
  kmsKey,
  lambdaFunction,
  managedPolicy,
  publicReadPolicy,
  READ_DOC,
  REGION,
  rootRow,
  STRONG_PASSWORD_POLICY,
  securityGroup,
  trail,
  user,
} from "./fixtures.ts";

interface Case {
  resourceId: string;
  /** When the compliant inventory's resource is a different one. */
  passResourceId?: string;
  passes: string;
  pass: () => Inventory;
  fails: string;
  fail: () => Inventory;
}

const regional = `${ACCOUNT}/${REGION}`;
const sgId = "sg-0000000000000000a";
const instanceId = "i-0000000000000000a";
const dbArn = `arn:aws:rds:${REGION}:${ACCOUNT}:db:orders`;
const fnArn = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:api`;
const trailArn = `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/main`;
const customerPolicyArn = `arn:aws:iam::${ACCOUNT}:policy/app`;
const adminArn = "arn:aws:iam::aws:policy/AdministratorAccess";
const readOnlyArn = "arn:aws:iam::aws:policy/ReadOnlyAccess";

const withBucket = (overrides: Parameters<typeof bucket>[0]) => () =>
  inventory({ s3: { Buckets: [bucket(overrides)] } });
const withUser = (overrides: Parameters<typeof user>[0]) => () =>
  inventory({ iam: { UserDetailList: [user(overrides)] } });
const withPasswordPolicy = (overrides: Record<string, unknown>) => () =>
  inventory({ account: { PasswordPolicy: { ...STRONG_PASSWORD_POLICY, ...overrides } } });
const withSg = (overrides: Parameters<typeof securityGroup>[0]) => () =>
  inventory({ ec2: { SecurityGroups: [securityGroup(overrides)] } });
const ingress = (IpProtocol: string, FromPort: number | undefined, ToPort: number | undefined, v6 = false) => [
  {
    IpProtocol,
    FromPort,
    ToPort,
    ...(v6 ? { Ipv6Ranges: [{ CidrIpv6: "::/0" }] } : { IpRanges: [{ CidrIp: "0.0.0.0/0" }] }),
  },
];
const withInstance = (overrides: Parameters<typeof instance>[0]) => () =>
  inventory({ ec2: { Instances: [instance(overrides)] } });
const withDb = (overrides: Parameters<typeof db>[0]) => () => inventory({ rds: { DBInstances: [db(overrides)] } });
const withKey = (overrides: Parameters<typeof kmsKey>[0]) => () => inventory({ kms: { Keys: [kmsKey(overrides)] } });
const withFunction = (overrides: Parameters<typeof lambdaFunction>[0]) => () =>
  inventory({ lambda: { Functions: [lambdaFunction(overrides)] } });
/** A trail and the bucket it writes to. */
const withTrail =
  (overrides: Parameters<typeof trail>[0], bucketOverrides: Parameters<typeof bucket>[0] = {}) =>
  () =>
    inventory({
      cloudtrail: { Trails: [trail(overrides)] },
      s3: { Buckets: [bucket({ Name: "trail-logs", ...bucketOverrides })] },
    });

const cases: Record<string, Case> = {
  account_security_contact_information_is_registered: {
    resourceId: ACCOUNT,
    passes: "a SECURITY alternate contact is set",
    pass: () => inventory(),
    fails: "only a billing contact is set",
    fail: () =>
      inventory({ account: { AlternateContacts: [{ AlternateContactType: "BILLING", EmailAddress: "b@x.io" }] } }),
  },

  // ---- IAM ----
  iam_root_mfa_enabled: {
    resourceId: "root",
    passes: "the credential report shows root MFA active",
    pass: () => inventory(),
    fails: "root's mfa_active is false",
    fail: () => inventory({ account: { CredentialReport: [rootRow({ mfa_active: "false" })] } }),
  },
  iam_root_hardware_mfa_enabled: {
    resourceId: "root",
    passes: "root has MFA and no virtual MFA device is root's",
    pass: () => inventory(),
    fails: "root's MFA is the virtual root-account-mfa-device",
    fail: () =>
      inventory({
        iam: { VirtualMFADevices: [{ SerialNumber: `arn:aws:iam::${ACCOUNT}:mfa/root-account-mfa-device` }] },
      }),
  },
  iam_no_root_access_key: {
    resourceId: "root",
    passes: "root has no active access key",
    pass: () => inventory(),
    fails: "root's access key 2 is active",
    fail: () => inventory({ account: { CredentialReport: [rootRow({ access_key_2_active: "true" })] } }),
  },
  iam_avoid_root_usage: {
    resourceId: "root",
    passes: "root last signed in 200 days ago",
    pass: () => inventory(),
    fails: "root's access key was used hours before the scan",
    fail: () =>
      inventory({
        account: { CredentialReport: [rootRow({ access_key_1_last_used_date: daysAgo(0.25) })] },
      }),
  },
  iam_password_policy_minimum_length_14: {
    resourceId: ACCOUNT,
    passes: "the minimum length is 16",
    pass: withPasswordPolicy({}),
    fails: "the minimum length is 8",
    fail: withPasswordPolicy({ MinimumPasswordLength: 8 }),
  },
  iam_password_policy_reuse_24: {
    resourceId: ACCOUNT,
    passes: "24 passwords are remembered",
    pass: withPasswordPolicy({}),
    fails: "only 5 are remembered",
    fail: withPasswordPolicy({ PasswordReusePrevention: 5 }),
  },
  iam_password_policy_uppercase: {
    resourceId: ACCOUNT,
    passes: "uppercase is required",
    pass: withPasswordPolicy({}),
    fails: "uppercase is not required",
    fail: withPasswordPolicy({ RequireUppercaseCharacters: false }),
  },
  iam_password_policy_lowercase: {
    resourceId: ACCOUNT,
    passes: "lowercase is required",
    pass: withPasswordPolicy({}),
    fails: "the field is absent",
    fail: withPasswordPolicy({ RequireLowercaseCharacters: undefined }),
  },
  iam_password_policy_number: {
    resourceId: ACCOUNT,
    passes: "a number is required",
    pass: withPasswordPolicy({}),
    fails: "numbers are not required",
    fail: withPasswordPolicy({ RequireNumbers: false }),
  },
  iam_password_policy_symbol: {
    resourceId: ACCOUNT,
    passes: "a symbol is required",
    pass: withPasswordPolicy({}),
    fails: "the account has no password policy at all",
    fail: () => inventory({ account: { PasswordPolicy: null } }),
  },
  iam_password_policy_expires_passwords_within_90_days_or_less: {
    resourceId: ACCOUNT,
    passes: "passwords expire after 90 days",
    pass: withPasswordPolicy({}),
    fails: "passwords expire after 180 days",
    fail: withPasswordPolicy({ MaxPasswordAge: 180 }),
  },
  iam_user_mfa_enabled_console_access: {
    resourceId: "alice",
    passes: "a console user has an MFA device",
    pass: withUser({}),
    fails: "a console user has none",
    fail: withUser({ MFADevices: [] }),
  },
  iam_rotate_access_key_90_days: {
    resourceId: "AKIATESTKEY000000001",
    passes: "the active key is 90 days old",
    pass: withUser({ AccessKeys: [accessKey({ CreateDate: daysAgo(90) })] }),
    fails: "the active key is 91 days old",
    fail: withUser({ AccessKeys: [accessKey({ CreateDate: daysAgo(91) })] }),
  },
  iam_user_accesskey_unused: {
    resourceId: "AKIATESTKEY000000001",
    passes: "the active key was used 44 days ago",
    pass: withUser({ AccessKeys: [accessKey({ AccessKeyLastUsed: { LastUsedDate: daysAgo(44) } })] }),
    fails: "the active key was never used and is 60 days old",
    fail: withUser({ AccessKeys: [accessKey({ CreateDate: daysAgo(60), AccessKeyLastUsed: {} })] }),
  },
  iam_user_console_access_unused: {
    resourceId: "alice",
    passes: "the user signed in 2 days ago",
    pass: withUser({}),
    fails: "the user last signed in 46 days ago",
    fail: withUser({ PasswordLastUsed: daysAgo(46) }),
  },
  iam_user_two_active_access_key: {
    resourceId: "alice",
    passes: "one of two keys is inactive",
    pass: withUser({
      AccessKeys: [accessKey(), accessKey({ AccessKeyId: "AKIATESTKEY000000002", Status: "Inactive" })],
    }),
    fails: "both keys are active",
    fail: withUser({ AccessKeys: [accessKey(), accessKey({ AccessKeyId: "AKIATESTKEY000000002" })] }),
  },
  iam_policy_attached_only_to_group_or_roles: {
    resourceId: "alice",
    passes: "the user only belongs to groups",
    pass: withUser({}),
    fails: "a managed policy is attached to the user",
    fail: withUser({ AttachedManagedPolicies: [{ PolicyName: "ReadOnlyAccess", PolicyArn: readOnlyArn }] }),
  },
  iam_customer_attached_policy_no_administrative_privileges: {
    resourceId: customerPolicyArn,
    passes: "the attached customer policy only reads one bucket",
    pass: () => inventory({ iam: { Policies: [managedPolicy(customerPolicyArn, READ_DOC)] } }),
    fails: "it allows * on *",
    fail: () => inventory({ iam: { Policies: [managedPolicy(customerPolicyArn, ADMIN_DOC)] } }),
  },
  iam_aws_attached_policy_no_administrative_privileges: {
    resourceId: adminArn,
    passResourceId: readOnlyArn,
    passes: "the only attached AWS policy is ReadOnlyAccess (AdministratorAccess exists, unattached)",
    pass: () =>
      inventory({
        iam: {
          Policies: [managedPolicy(adminArn, ADMIN_DOC, 0), managedPolicy(readOnlyArn, READ_DOC)],
        },
      }),
    fails: "a group has AdministratorAccess attached",
    fail: () =>
      inventory({
        iam: {
          GroupDetailList: [
            {
              GroupName: "admins",
              Arn: `arn:aws:iam::${ACCOUNT}:group/admins`,
              AttachedManagedPolicies: [{ PolicyName: "AdministratorAccess", PolicyArn: adminArn }],
            },
          ],
        },
      }),
  },
  iam_inline_policy_no_administrative_privileges: {
    resourceId: `arn:aws:iam::${ACCOUNT}:role/app#inline`,
    passes: "a role's inline policy reads one bucket",
    pass: () =>
      inventory({
        iam: {
          RoleDetailList: [
            {
              RoleName: "app",
              Arn: `arn:aws:iam::${ACCOUNT}:role/app`,
              RolePolicyList: [{ PolicyName: "inline", PolicyDocument: READ_DOC }],
            },
          ],
        },
      }),
    fails: "it allows *:* on *",
    fail: () =>
      inventory({
        iam: {
          RoleDetailList: [
            {
              RoleName: "app",
              Arn: `arn:aws:iam::${ACCOUNT}:role/app`,
              RolePolicyList: [
                {
                  PolicyName: "inline",
                  PolicyDocument: { Statement: { Effect: "Allow", Action: "*:*", Resource: "*" } },
                },
              ],
            },
          ],
        },
      }),
  },

  // ---- S3 ----
  s3_bucket_public_access: {
    resourceId: "data-bucket",
    passes: "the bucket has no public grant or statement",
    pass: withBucket({ PublicAccessBlockConfiguration: null }),
    fails: "its ACL grants AllUsers READ and nothing blocks it",
    fail: withBucket({
      PublicAccessBlockConfiguration: null,
      Acl: { Grants: [{ Grantee: { Type: "Group", URI: ALL_USERS }, Permission: "READ" }] },
    }),
  },
  s3_account_level_public_access_blocks: {
    resourceId: ACCOUNT,
    passes: "all four account-level settings are on",
    pass: () => inventory({ account: { PublicAccessBlockConfiguration: BLOCK_ALL } }),
    fails: "BlockPublicPolicy is off at account level",
    fail: () => inventory({ account: { PublicAccessBlockConfiguration: { ...BLOCK_ALL, BlockPublicPolicy: false } } }),
  },
  s3_bucket_level_public_access_block: {
    resourceId: "data-bucket",
    passes: "the bucket blocks all public access",
    pass: withBucket({}),
    fails: "the bucket has no block and the account none either",
    fail: withBucket({ PublicAccessBlockConfiguration: null }),
  },
  s3_bucket_default_encryption: {
    resourceId: "data-bucket",
    passes: "SSE-KMS is the default",
    pass: withBucket({}),
    fails: "no default encryption is configured",
    fail: withBucket({ ServerSideEncryptionConfiguration: null }),
  },
  s3_bucket_object_versioning: {
    resourceId: "data-bucket",
    passes: "versioning is enabled",
    pass: withBucket({}),
    fails: "versioning is suspended",
    fail: withBucket({ Versioning: { Status: "Suspended" } }),
  },
  s3_bucket_no_mfa_delete: {
    resourceId: "data-bucket",
    passes: "MFA delete is enabled",
    pass: withBucket({}),
    fails: "MFA delete is disabled",
    fail: withBucket({ Versioning: { Status: "Enabled", MFADelete: "Disabled" } }),
  },
  s3_bucket_server_access_logging_enabled: {
    resourceId: "data-bucket",
    passes: "access logs go to a log bucket",
    pass: withBucket({}),
    fails: "logging is off",
    fail: withBucket({ Logging: {} }),
  },
  s3_bucket_secure_transport_policy: {
    resourceId: "data-bucket",
    passes: "the policy denies s3:* when aws:SecureTransport is false",
    pass: withBucket({}),
    fails: "the bucket has no policy",
    fail: withBucket({ Policy: null }),
  },
  s3_bucket_public_write_acl: {
    resourceId: "data-bucket",
    passes: "AllUsers may only READ",
    pass: withBucket({
      PublicAccessBlockConfiguration: null,
      Acl: { Grants: [{ Grantee: { Type: "Group", URI: ALL_USERS }, Permission: "READ" }] },
    }),
    fails: "AuthenticatedUsers may WRITE",
    fail: withBucket({
      PublicAccessBlockConfiguration: null,
      Acl: {
        Grants: [
          {
            Grantee: { Type: "Group", URI: "http://acs.amazonaws.com/groups/global/AuthenticatedUsers" },
            Permission: "WRITE",
          },
        ],
      },
    }),
  },
  s3_bucket_policy_public_write_access: {
    resourceId: "data-bucket",
    passes: "the public statement only allows s3:GetObject",
    pass: withBucket({ PublicAccessBlockConfiguration: null, Policy: publicReadPolicy("data-bucket") }),
    fails: "it allows s3:Put* to everyone",
    fail: withBucket({
      PublicAccessBlockConfiguration: null,
      Policy: { Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "s3:Put*", Resource: "*" }] },
    }),
  },

  // ---- CloudTrail ----
  cloudtrail_multi_region_enabled: {
    resourceId: regional,
    passes: "a logging multi-region trail exists",
    pass: withTrail({}),
    fails: "the only trail has stopped logging",
    fail: withTrail({ Status: { IsLogging: false } }),
  },
  cloudtrail_multi_region_enabled_logging_management_events: {
    resourceId: ACCOUNT,
    passes: "the multi-region trail records read and write management events",
    pass: withTrail({}),
    fails: "it records write events only",
    fail: withTrail({ EventSelectors: [{ ReadWriteType: "WriteOnly", IncludeManagementEvents: true }] }),
  },
  cloudtrail_log_file_validation_enabled: {
    resourceId: trailArn,
    passes: "log file validation is on",
    pass: withTrail({}),
    fails: "it is off",
    fail: withTrail({ LogFileValidationEnabled: false }),
  },
  cloudtrail_kms_encryption_enabled: {
    resourceId: trailArn,
    passes: "the trail names a KMS key",
    pass: withTrail({}),
    fails: "it names none",
    fail: withTrail({ KmsKeyId: undefined }),
  },
  cloudtrail_cloudwatch_logging_enabled: {
    resourceId: trailArn,
    passes: "the trail delivered to CloudWatch Logs today",
    pass: withTrail({}),
    fails: "its last delivery was 3 days before the scan",
    fail: withTrail({ Status: { IsLogging: true, LatestCloudWatchLogsDeliveryTime: daysAgo(3) } }),
  },
  cloudtrail_logs_s3_bucket_is_not_publicly_accessible: {
    resourceId: trailArn,
    passes: "the trail's bucket is private",
    pass: withTrail({}),
    fails: "the trail's bucket has a public policy and no block",
    fail: withTrail({}, { PublicAccessBlockConfiguration: null, Policy: publicReadPolicy("trail-logs") }),
  },
  cloudtrail_logs_s3_bucket_access_logging_enabled: {
    resourceId: trailArn,
    passes: "the trail's bucket logs access",
    pass: withTrail({}),
    fails: "the trail's bucket does not",
    fail: withTrail({}, { Logging: {} }),
  },

  // ---- Config, GuardDuty ----
  config_recorder_all_regions_enabled: {
    resourceId: regional,
    passes: "the region's recorder is recording",
    pass: () =>
      inventory({
        config: {
          ConfigurationRecorders: [{ region: REGION, name: "default" }],
          ConfigurationRecordersStatus: [{ region: REGION, name: "default", recording: true, lastStatus: "Success" }],
        },
      }),
    fails: "the recorder exists but its last delivery failed",
    fail: () =>
      inventory({
        config: {
          ConfigurationRecorders: [{ region: REGION, name: "default" }],
          ConfigurationRecordersStatus: [{ region: REGION, name: "default", recording: true, lastStatus: "Failure" }],
        },
      }),
  },
  guardduty_is_enabled: {
    resourceId: regional,
    passes: "the region's detector is enabled",
    pass: () => inventory({ guardduty: { Detectors: [{ region: REGION, DetectorId: "d1", Status: "ENABLED" }] } }),
    fails: "the detector is suspended",
    fail: () => inventory({ guardduty: { Detectors: [{ region: REGION, DetectorId: "d1", Status: "DISABLED" }] } }),
  },

  // ---- EC2, VPC ----
  ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22: {
    resourceId: sgId,
    passes: "SSH is open to 10.0.0.0/8 only",
    pass: withSg({
      IpPermissions: [{ IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "10.0.0.0/8" }] }],
    }),
    fails: "a 20–25 range is open to ::/0",
    fail: withSg({ IpPermissions: ingress("tcp", 20, 25, true) }),
  },
  ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_3389: {
    resourceId: sgId,
    passes: "only 443 is open to the internet",
    pass: withSg({}),
    fails: "3389 is open to 0.0.0.0/0 (protocol number 6)",
    fail: withSg({ IpPermissions: ingress("6", 3389, 3389) }),
  },
  ec2_securitygroup_allow_ingress_from_internet_to_all_ports: {
    resourceId: sgId,
    passes: "only 443 is open to the internet",
    pass: withSg({}),
    fails: "every protocol (-1) is open to 0.0.0.0/0",
    fail: withSg({ IpPermissions: ingress("-1", undefined, undefined) }),
  },
  ec2_securitygroup_default_restrict_traffic: {
    resourceId: sgId,
    passes: "the default group has no rules",
    pass: withSg({ GroupName: "default", IpPermissions: [], IpPermissionsEgress: [] }),
    fails: "the default group keeps its allow-all egress rule",
    fail: withSg({ GroupName: "default", IpPermissions: [] }),
  },
  ec2_ebs_default_encryption: {
    resourceId: regional,
    passes: "EBS encryption by default is on in the region",
    pass: () => inventory({ ec2: { EbsEncryptionByDefault: [{ region: REGION, EbsEncryptionByDefault: true }] } }),
    fails: "it is off",
    fail: () => inventory({ ec2: { EbsEncryptionByDefault: [{ region: REGION, EbsEncryptionByDefault: false }] } }),
  },
  ec2_ebs_volume_encryption: {
    resourceId: "vol-1",
    passes: "the volume is encrypted",
    pass: () => inventory({ ec2: { Volumes: [{ region: REGION, VolumeId: "vol-1", Encrypted: true }] } }),
    fails: "it is not",
    fail: () => inventory({ ec2: { Volumes: [{ region: REGION, VolumeId: "vol-1", Encrypted: false }] } }),
  },
  ec2_ebs_snapshots_encrypted: {
    resourceId: "snap-1",
    passes: "the snapshot is encrypted",
    pass: () => inventory({ ec2: { Snapshots: [{ region: REGION, SnapshotId: "snap-1", Encrypted: true }] } }),
    fails: "it is not",
    fail: () => inventory({ ec2: { Snapshots: [{ region: REGION, SnapshotId: "snap-1", Encrypted: false }] } }),
  },
  ec2_ebs_public_snapshot: {
    resourceId: "snap-1",
    passes: "the snapshot is shared with one named account only",
    pass: () =>
      inventory({
        ec2: {
          Snapshots: [
            {
              region: REGION,
              SnapshotId: "snap-1",
              Encrypted: true,
              CreateVolumePermissions: [{ UserId: "444455556666" }],
            },
          ],
        },
      }),
    fails: "its createVolumePermission includes group all",
    fail: () =>
      inventory({
        ec2: {
          Snapshots: [
            { region: REGION, SnapshotId: "snap-1", Encrypted: true, CreateVolumePermissions: [{ Group: "all" }] },
          ],
        },
      }),
  },
  ec2_ami_public: {
    resourceId: "ami-1",
    passes: "the image is private",
    pass: () => inventory({ ec2: { Images: [{ region: REGION, ImageId: "ami-1", Public: false }] } }),
    fails: "it is public",
    fail: () => inventory({ ec2: { Images: [{ region: REGION, ImageId: "ami-1", Public: true }] } }),
  },
  ec2_instance_imdsv2_enabled: {
    resourceId: instanceId,
    passes: "the instance requires session tokens",
    pass: withInstance({}),
    fails: "tokens are optional",
    fail: withInstance({ MetadataOptions: { HttpTokens: "optional", HttpEndpoint: "enabled" } }),
  },
  ec2_instance_public_ip: {
    resourceId: instanceId,
    passes: "the instance has no public address",
    pass: withInstance({}),
    fails: "it has 203.0.113.10",
    fail: withInstance({ PublicIpAddress: "203.0.113.10" }),
  },
  vpc_flow_logs_enabled: {
    resourceId: "vpc-1",
    passes: "an active flow log watches the VPC",
    pass: () =>
      inventory({
        ec2: {
          Vpcs: [{ region: REGION, VpcId: "vpc-1" }],
          FlowLogs: [{ region: REGION, FlowLogId: "fl-1", ResourceId: "vpc-1", FlowLogStatus: "ACTIVE" }],
        },
      }),
    fails: "the only flow log belongs to another VPC",
    fail: () =>
      inventory({
        ec2: {
          Vpcs: [{ region: REGION, VpcId: "vpc-1" }],
          FlowLogs: [{ region: REGION, FlowLogId: "fl-2", ResourceId: "vpc-2", FlowLogStatus: "ACTIVE" }],
        },
      }),
  },

  // ---- RDS, KMS, Lambda ----
  rds_instance_no_public_access: {
    resourceId: dbArn,
    passes: "the instance is not publicly accessible",
    pass: withDb({}),
    fails: "it is",
    fail: withDb({ PubliclyAccessible: true }),
  },
  rds_instance_storage_encrypted: {
    resourceId: dbArn,
    passes: "storage is encrypted",
    pass: withDb({}),
    fails: "it is not",
    fail: withDb({ StorageEncrypted: false }),
  },
  rds_instance_backup_enabled: {
    resourceId: dbArn,
    passes: "backups are kept 7 days",
    pass: withDb({}),
    fails: "the retention period is 0",
    fail: withDb({ BackupRetentionPeriod: 0 }),
  },
  rds_instance_deletion_protection: {
    resourceId: dbArn,
    passes: "deletion protection is on",
    pass: withDb({}),
    fails: "it is off",
    fail: withDb({ DeletionProtection: false }),
  },
  rds_instance_minor_version_upgrade_enabled: {
    resourceId: dbArn,
    passes: "minor upgrades are automatic",
    pass: withDb({}),
    fails: "they are not",
    fail: withDb({ AutoMinorVersionUpgrade: false }),
  },
  kms_cmk_rotation_enabled: {
    resourceId: "key-1",
    passes: "the customer key rotates",
    pass: withKey({}),
    fails: "it does not",
    fail: withKey({ KeyRotationEnabled: false }),
  },
  kms_cmk_not_deleted_unintentionally: {
    resourceId: "key-1",
    passes: "the customer key is enabled",
    pass: withKey({}),
    fails: "it is pending deletion",
    fail: withKey({ KeyState: "PendingDeletion", DeletionDate: daysAgo(-7) }),
  },
  kms_key_not_publicly_accessible: {
    resourceId: "key-1",
    passes: "Principal * is limited by kms:CallerAccount",
    pass: withKey({
      Policy: {
        Statement: [
          {
            Effect: "Allow",
            Principal: "*",
            Action: "kms:Decrypt",
            Resource: "*",
            Condition: { StringEquals: { "kms:CallerAccount": ACCOUNT } },
          },
        ],
      },
    }),
    fails: "Principal * is unconditional",
    fail: withKey({ Policy: { Statement: [{ Effect: "Allow", Principal: "*", Action: "kms:*", Resource: "*" }] } }),
  },
  awslambda_function_url_public: {
    resourceId: fnArn,
    passes: "the URL requires AWS_IAM",
    pass: withFunction({}),
    fails: "the URL's auth type is NONE",
    fail: withFunction({
      FunctionUrlConfigs: [{ FunctionUrl: "https://abc.lambda-url.us-east-1.on.aws/", AuthType: "NONE" }],
    }),
  },
  awslambda_function_using_supported_runtimes: {
    resourceId: fnArn,
    passes: "nodejs22.x is supported until 2027-04-30",
    pass: withFunction({}),
    fails: "python3.8 was deprecated on 2024-10-14",
    fail: withFunction({ Runtime: "python3.8" }),
  },
  awslambda_function_not_publicly_accessible: {
    resourceId: fnArn,
    passes: "only API Gateway may invoke, from one source ARN",
    pass: withFunction({
      Policy: JSON.stringify({
        Statement: [
          {
            Effect: "Allow",
            Principal: { Service: "apigateway.amazonaws.com" },
            Action: "lambda:InvokeFunction",
            Resource: fnArn,
          },
        ],
      }),
    }),
    fails: "Principal * may invoke it unconditionally",
    fail: withFunction({
      Policy: JSON.stringify({
        Statement: [{ Effect: "Allow", Principal: "*", Action: "lambda:InvokeFunction", Resource: fnArn }],
      }),
    }),
  },
};

function statusOf(checkId: string, inv: Inventory, resourceId: string) {
  const check = CHECKS_BY_ID.get(checkId);
  if (!check) throw new Error(`no check ${checkId}`);
  const results = check.evaluate(inv).filter((r) => r.resourceId === resourceId);
  expect(results, `${checkId} results for ${resourceId}`).toHaveLength(1);
  return results[0]?.status;
}

describe("every check passes a compliant resource and fails a misconfigured one", () => {
  it("covers every registered check, and only those", () => {
    expect(Object.keys(cases).sort()).toEqual(ALL_CHECKS.map((c) => c.id).sort());
  });

  for (const [checkId, c] of Object.entries(cases)) {
    it(`${checkId}: PASS when ${c.passes}`, () => {
      expect(statusOf(checkId, c.pass(), c.passResourceId ?? c.resourceId)).toBe("PASS");
    });
    it(`${checkId}: FAIL when ${c.fails}`, () => {
      expect(statusOf(checkId, c.fail(), c.resourceId)).toBe("FAIL");
    });
  }
});
