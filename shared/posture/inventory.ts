/**
 * The inventory one scan of one AWS account produces: what the collectors read, per service and
 * region, and all the posture checks ever see. Field names are the AWS API's own (PascalCase, as the
 * SDK v3 returns them, or camelCase where the API itself uses it, as AWS Config does), so a collector
 * copies SDK responses in and adds `region`. Dates are ISO strings, the form `JSON.stringify` gives an
 * SDK `Date`. Objects are not strict: SDK responses carry fields no check reads, and those are dropped.
 *
 * Policy documents are accepted as the API returns them (a JSON string, URL-encoded by IAM) or as
 * an object, and are normalised once here (every Action, Resource and Principal a list) so the checks
 * stay short and fast.
 */
import * as z from "zod/mini";

/** The `region` of resources that have none (IAM, the account's own settings). */
export const GLOBAL_REGION = "global";

const IsoDate = z.iso.datetime({ offset: true });
const StringList = z.pipe(
  z.union([z.string(), z.array(z.string())]),
  z.transform((v) => (typeof v === "string" ? [v] : v)),
);
const ConditionValue = z.union([z.string(), z.number(), z.boolean()]);
const ConditionValues = z.pipe(
  z.union([ConditionValue, z.array(ConditionValue)]),
  z.transform((v) => (Array.isArray(v) ? v : [v]).map(String)),
);
const PrincipalSchema = z.pipe(
  z.union([z.literal("*"), z.record(z.string(), StringList)]),
  z.transform((p): Record<string, string[]> => (p === "*" ? { AWS: ["*"] } : p)),
);

const StatementSchema = z.pipe(
  z.object({
    Sid: z.optional(z.string()),
    Effect: z.enum(["Allow", "Deny"]),
    Principal: z.optional(PrincipalSchema),
    NotPrincipal: z.optional(PrincipalSchema),
    Action: z.optional(StringList),
    NotAction: z.optional(StringList),
    Resource: z.optional(StringList),
    NotResource: z.optional(StringList),
    Condition: z.optional(z.record(z.string(), z.record(z.string(), ConditionValues))),
  }),
  z.transform((s) => ({
    ...s,
    Action: s.Action ?? [],
    Resource: s.Resource ?? [],
    Condition: s.Condition ?? {},
  })),
);

const PolicyObject = z.object({
  Version: z.optional(z.string()),
  Id: z.optional(z.string()),
  Statement: z.pipe(
    z.union([StatementSchema, z.array(StatementSchema)]),
    z.transform((v) => (Array.isArray(v) ? v : [v])),
  ),
});

/** A policy document, from an API string (plain or URL-encoded JSON) or an object. */
export const PolicyDocumentSchema = z.pipe(
  z.union([z.string(), z.record(z.string(), z.unknown())]),
  z.pipe(
    z.transform((v: string | Record<string, unknown>, ctx): unknown => {
      if (typeof v !== "string") return v;
      try {
        // IAM returns documents URL-encoded (RFC 3986); S3, KMS and Lambda return plain JSON.
        return JSON.parse(/^\s*%7b/i.test(v) ? decodeURIComponent(v) : v);
      } catch {
        ctx.issues.push({ code: "custom", message: "policy document is not JSON", input: v });
        return z.NEVER;
      }
    }),
    PolicyObject,
  ),
);
export type PolicyDocument = z.output<typeof PolicyDocumentSchema>;
export type PolicyStatement = PolicyDocument["Statement"][number];

// ---- account ------------------------------------------------------------------------------------

/** GetAccountPasswordPolicy `PasswordPolicy`. */
const PasswordPolicySchema = z.object({
  MinimumPasswordLength: z.optional(z.number()),
  RequireSymbols: z.optional(z.boolean()),
  RequireNumbers: z.optional(z.boolean()),
  RequireUppercaseCharacters: z.optional(z.boolean()),
  RequireLowercaseCharacters: z.optional(z.boolean()),
  AllowUsersToChangePassword: z.optional(z.boolean()),
  ExpirePasswords: z.optional(z.boolean()),
  MaxPasswordAge: z.optional(z.number()),
  PasswordReusePrevention: z.optional(z.number()),
  HardExpiry: z.optional(z.boolean()),
});

/** S3 (or S3 Control, for the account) GetPublicAccessBlock `PublicAccessBlockConfiguration`. */
const PublicAccessBlockSchema = z.object({
  BlockPublicAcls: z._default(z.boolean(), false),
  IgnorePublicAcls: z._default(z.boolean(), false),
  BlockPublicPolicy: z._default(z.boolean(), false),
  RestrictPublicBuckets: z._default(z.boolean(), false),
});
export type PublicAccessBlock = z.output<typeof PublicAccessBlockSchema>;

/**
 * One row of the IAM credential report (GetCredentialReport, CSV), by the report's own column names.
 * Values are the report's strings: "true"/"false", ISO dates, or "N/A", "no_information", "not_supported".
 */
const CredentialReportRowSchema = z.object({
  user: z.string(),
  arn: z.string(),
  user_creation_time: z.optional(z.string()),
  password_enabled: z.optional(z.string()),
  password_last_used: z.optional(z.string()),
  password_last_changed: z.optional(z.string()),
  password_next_rotation: z.optional(z.string()),
  mfa_active: z.optional(z.string()),
  access_key_1_active: z.optional(z.string()),
  access_key_1_last_rotated: z.optional(z.string()),
  access_key_1_last_used_date: z.optional(z.string()),
  access_key_2_active: z.optional(z.string()),
  access_key_2_last_rotated: z.optional(z.string()),
  access_key_2_last_used_date: z.optional(z.string()),
});
export type CredentialReportRow = z.output<typeof CredentialReportRowSchema>;

/** Account GetAlternateContact `AlternateContact`. */
const AlternateContactSchema = z.object({
  AlternateContactType: z.enum(["BILLING", "OPERATIONS", "SECURITY"]),
  EmailAddress: z.optional(z.string()),
  Name: z.optional(z.string()),
  PhoneNumber: z.optional(z.string()),
  Title: z.optional(z.string()),
});

const AccountSchema = z.object({
  AccountId: z.string().check(z.regex(/^\d{12}$/)),
  /** ListAccountAliases, the first (an account has at most one). */
  AccountAlias: z.optional(z.string()),
  /** Null when the account has no password policy (GetAccountPasswordPolicy answers NoSuchEntity). */
  PasswordPolicy: z.nullable(PasswordPolicySchema),
  /** Null when none is set at account level (S3 Control answers NoSuchPublicAccessBlockConfiguration). */
  PublicAccessBlockConfiguration: z.nullable(PublicAccessBlockSchema),
  CredentialReport: z._default(z.array(CredentialReportRowSchema), []),
  /** Absent when not collected (the Account API needs its own permission); empty when none is set. */
  AlternateContacts: z.optional(z.array(AlternateContactSchema)),
});

// ---- IAM (GetAccountAuthorizationDetails, plus per-user credentials) -------------------------------

const AttachedPolicySchema = z.object({ PolicyName: z.string(), PolicyArn: z.string() });
const InlinePolicySchema = z.object({ PolicyName: z.string(), PolicyDocument: PolicyDocumentSchema });

/** ListAccessKeys `AccessKeyMetadata`, with GetAccessKeyLastUsed's `AccessKeyLastUsed` added. */
const AccessKeySchema = z.object({
  AccessKeyId: z.string(),
  Status: z.enum(["Active", "Inactive", "Expired"]),
  CreateDate: IsoDate,
  AccessKeyLastUsed: z.optional(
    z.object({
      LastUsedDate: z.optional(IsoDate),
      ServiceName: z.optional(z.string()),
      Region: z.optional(z.string()),
    }),
  ),
});
export type AccessKey = z.output<typeof AccessKeySchema>;

const IamUserSchema = z.object({
  UserName: z.string(),
  UserId: z.optional(z.string()),
  Arn: z.string(),
  CreateDate: IsoDate,
  /** GetUser; absent when the password was never used. */
  PasswordLastUsed: z.optional(IsoDate),
  /** GetLoginProfile; null when the user has no console password. */
  LoginProfile: z.nullable(z.object({ CreateDate: IsoDate, PasswordResetRequired: z.optional(z.boolean()) })),
  /** ListMFADevices. */
  MFADevices: z._default(z.array(z.object({ SerialNumber: z.string(), EnableDate: z.optional(IsoDate) })), []),
  AccessKeys: z._default(z.array(AccessKeySchema), []),
  GroupList: z._default(z.array(z.string()), []),
  AttachedManagedPolicies: z._default(z.array(AttachedPolicySchema), []),
  UserPolicyList: z._default(z.array(InlinePolicySchema), []),
});
export type IamUser = z.output<typeof IamUserSchema>;

const IamGroupSchema = z.object({
  GroupName: z.string(),
  Arn: z.string(),
  AttachedManagedPolicies: z._default(z.array(AttachedPolicySchema), []),
  GroupPolicyList: z._default(z.array(InlinePolicySchema), []),
});

const IamRoleSchema = z.object({
  RoleName: z.string(),
  Arn: z.string(),
  AttachedManagedPolicies: z._default(z.array(AttachedPolicySchema), []),
  RolePolicyList: z._default(z.array(InlinePolicySchema), []),
});

/** A managed policy with its versions (GetAccountAuthorizationDetails `Policies`). */
const ManagedPolicySchema = z.object({
  PolicyName: z.string(),
  Arn: z.string(),
  AttachmentCount: z._default(z.number(), 0),
  DefaultVersionId: z.optional(z.string()),
  PolicyVersionList: z._default(
    z.array(
      z.object({
        VersionId: z.optional(z.string()),
        IsDefaultVersion: z._default(z.boolean(), false),
        Document: PolicyDocumentSchema,
      }),
    ),
    [],
  ),
});
export type ManagedPolicy = z.output<typeof ManagedPolicySchema>;

const IamSchema = z.object({
  UserDetailList: z._default(z.array(IamUserSchema), []),
  GroupDetailList: z._default(z.array(IamGroupSchema), []),
  RoleDetailList: z._default(z.array(IamRoleSchema), []),
  Policies: z._default(z.array(ManagedPolicySchema), []),
  /** GetAccountSummary `SummaryMap` (AccountMFAEnabled, AccountAccessKeysPresent, …). */
  AccountSummary: z.optional(z.record(z.string(), z.number())),
  /** ListVirtualMFADevices: a root device here means root's MFA is virtual, not hardware. */
  VirtualMFADevices: z.optional(
    z.array(z.object({ SerialNumber: z.string(), User: z.optional(z.object({ Arn: z.string() })) })),
  ),
});

// ---- S3 -----------------------------------------------------------------------------------------

const GrantSchema = z.object({
  Grantee: z.object({
    Type: z.enum(["CanonicalUser", "AmazonCustomerByEmail", "Group"]),
    URI: z.optional(z.string()),
    ID: z.optional(z.string()),
    DisplayName: z.optional(z.string()),
  }),
  Permission: z.enum(["FULL_CONTROL", "WRITE", "WRITE_ACP", "READ", "READ_ACP"]),
});

const S3BucketSchema = z.object({
  Name: z.string(),
  CreationDate: z.optional(IsoDate),
  /** GetBucketLocation, with the API's null/"EU" answers already resolved to a region name. */
  region: z.string(),
  /** GetBucketAcl. */
  Acl: z._default(z.object({ Grants: z._default(z.array(GrantSchema), []) }), { Grants: [] }),
  /** GetBucketPolicy `Policy`; null when the bucket has none. */
  Policy: z.nullable(PolicyDocumentSchema),
  /** GetBucketPolicyStatus, when collected: S3's own verdict on the policy. */
  PolicyStatus: z.optional(z.object({ IsPublic: z.boolean() })),
  /** Null when the bucket has no public access block. */
  PublicAccessBlockConfiguration: z.nullable(PublicAccessBlockSchema),
  /** GetBucketEncryption; null when none is configured (buckets made before 2023 may have none). */
  ServerSideEncryptionConfiguration: z.nullable(
    z.object({
      Rules: z.array(
        z.object({
          ApplyServerSideEncryptionByDefault: z.optional(
            z.object({ SSEAlgorithm: z.string(), KMSMasterKeyID: z.optional(z.string()) }),
          ),
          BucketKeyEnabled: z.optional(z.boolean()),
        }),
      ),
    }),
  ),
  /** GetBucketVersioning; both fields are absent on a bucket that never had versioning. */
  Versioning: z._default(
    z.object({
      Status: z.optional(z.enum(["Enabled", "Suspended"])),
      MFADelete: z.optional(z.enum(["Enabled", "Disabled"])),
    }),
    {},
  ),
  /** GetBucketLogging; `LoggingEnabled` is absent when access logging is off. */
  Logging: z._default(
    z.object({
      LoggingEnabled: z.optional(z.object({ TargetBucket: z.string(), TargetPrefix: z.optional(z.string()) })),
    }),
    {},
  ),
});
export type S3Bucket = z.output<typeof S3BucketSchema>;

// ---- CloudTrail ---------------------------------------------------------------------------------

const TrailSchema = z.object({
  Name: z.string(),
  TrailARN: z.string(),
  HomeRegion: z.string(),
  /** The region the trail was listed in: its home region. */
  region: z.string(),
  IsMultiRegionTrail: z._default(z.boolean(), false),
  IsOrganizationTrail: z._default(z.boolean(), false),
  LogFileValidationEnabled: z._default(z.boolean(), false),
  KmsKeyId: z.optional(z.string()),
  S3BucketName: z.optional(z.string()),
  CloudWatchLogsLogGroupArn: z.optional(z.string()),
  /** GetTrailStatus. */
  Status: z.object({
    IsLogging: z.boolean(),
    LatestDeliveryTime: z.optional(IsoDate),
    LatestCloudWatchLogsDeliveryTime: z.optional(IsoDate),
  }),
  /** GetEventSelectors: a trail has either basic or advanced selectors; absent when not collected. */
  EventSelectors: z.optional(
    z.array(
      z.object({
        ReadWriteType: z._default(z.enum(["ReadOnly", "WriteOnly", "All"]), "All"),
        IncludeManagementEvents: z._default(z.boolean(), true),
      }),
    ),
  ),
  AdvancedEventSelectors: z.optional(
    z.array(
      z.object({
        Name: z.optional(z.string()),
        FieldSelectors: z.array(
          z.object({
            Field: z.string(),
            Equals: z.optional(z.array(z.string())),
            NotEquals: z.optional(z.array(z.string())),
          }),
        ),
      }),
    ),
  ),
});
export type Trail = z.output<typeof TrailSchema>;

// ---- Config, GuardDuty --------------------------------------------------------------------------

/** DescribeConfigurationRecorders (AWS Config's API is camelCase). */
const ConfigRecorderSchema = z.object({
  region: z.string(),
  name: z.string(),
  roleARN: z.optional(z.string()),
  recordingGroup: z.optional(
    z.object({
      allSupported: z.optional(z.boolean()),
      includeGlobalResourceTypes: z.optional(z.boolean()),
    }),
  ),
});

/** DescribeConfigurationRecorderStatus. */
const ConfigRecorderStatusSchema = z.object({
  region: z.string(),
  name: z.string(),
  recording: z.boolean(),
  lastStatus: z.optional(z.enum(["Pending", "Success", "Failure", "NotApplicable"])),
});

/** ListDetectors + GetDetector. */
const DetectorSchema = z.object({
  region: z.string(),
  DetectorId: z.string(),
  Status: z.enum(["ENABLED", "DISABLED"]),
});

// ---- EC2 and VPC --------------------------------------------------------------------------------

const IpPermissionSchema = z.object({
  IpProtocol: z.string(),
  FromPort: z.optional(z.number()),
  ToPort: z.optional(z.number()),
  IpRanges: z._default(z.array(z.object({ CidrIp: z.string() })), []),
  Ipv6Ranges: z._default(z.array(z.object({ CidrIpv6: z.string() })), []),
  UserIdGroupPairs: z._default(z.array(z.object({ GroupId: z.optional(z.string()) })), []),
  PrefixListIds: z._default(z.array(z.object({ PrefixListId: z.optional(z.string()) })), []),
});
export type IpPermission = z.output<typeof IpPermissionSchema>;

const SecurityGroupSchema = z.object({
  region: z.string(),
  GroupId: z.string(),
  GroupName: z.string(),
  VpcId: z.optional(z.string()),
  IpPermissions: z._default(z.array(IpPermissionSchema), []),
  IpPermissionsEgress: z._default(z.array(IpPermissionSchema), []),
});
export type SecurityGroup = z.output<typeof SecurityGroupSchema>;

/** DescribeInstances, reservations flattened. */
const InstanceSchema = z.object({
  region: z.string(),
  InstanceId: z.string(),
  State: z.object({ Name: z.string() }),
  PublicIpAddress: z.optional(z.string()),
  VpcId: z.optional(z.string()),
  MetadataOptions: z.optional(
    z.object({
      HttpTokens: z.optional(z.enum(["optional", "required"])),
      HttpEndpoint: z.optional(z.enum(["enabled", "disabled"])),
      HttpPutResponseHopLimit: z.optional(z.number()),
    }),
  ),
  SecurityGroups: z._default(z.array(z.object({ GroupId: z.string(), GroupName: z.optional(z.string()) })), []),
});

const VolumeSchema = z.object({
  region: z.string(),
  VolumeId: z.string(),
  Encrypted: z.boolean(),
  KmsKeyId: z.optional(z.string()),
  Size: z.optional(z.number()),
  State: z.optional(z.string()),
  Attachments: z._default(z.array(z.object({ InstanceId: z.optional(z.string()) })), []),
});

/**
 * DescribeSnapshots (OwnerIds: self), with DescribeSnapshotAttribute's createVolumePermission —
 * one call per snapshot, made by a deep scan only: absent (not collected) after a quick one.
 */
const SnapshotSchema = z.object({
  region: z.string(),
  SnapshotId: z.string(),
  VolumeId: z.optional(z.string()),
  Encrypted: z.boolean(),
  OwnerId: z.optional(z.string()),
  CreateVolumePermissions: z.optional(
    z.array(z.object({ Group: z.optional(z.literal("all")), UserId: z.optional(z.string()) })),
  ),
});

/** DescribeImages (Owners: self). */
const ImageSchema = z.object({
  region: z.string(),
  ImageId: z.string(),
  Name: z.optional(z.string()),
  Public: z.boolean(),
  OwnerId: z.optional(z.string()),
});

const VpcSchema = z.object({
  region: z.string(),
  VpcId: z.string(),
  IsDefault: z._default(z.boolean(), false),
  CidrBlock: z.optional(z.string()),
});

const FlowLogSchema = z.object({
  region: z.string(),
  FlowLogId: z.string(),
  ResourceId: z.string(),
  FlowLogStatus: z._default(z.string(), "ACTIVE"),
  TrafficType: z.optional(z.enum(["ACCEPT", "REJECT", "ALL"])),
});

const Ec2Schema = z.object({
  SecurityGroups: z._default(z.array(SecurityGroupSchema), []),
  Instances: z._default(z.array(InstanceSchema), []),
  Volumes: z._default(z.array(VolumeSchema), []),
  Snapshots: z._default(z.array(SnapshotSchema), []),
  Images: z._default(z.array(ImageSchema), []),
  /** GetEbsEncryptionByDefault, one entry per region. */
  EbsEncryptionByDefault: z._default(
    z.array(z.object({ region: z.string(), EbsEncryptionByDefault: z.boolean() })),
    [],
  ),
  Vpcs: z._default(z.array(VpcSchema), []),
  FlowLogs: z._default(z.array(FlowLogSchema), []),
});

// ---- RDS, KMS, Lambda ---------------------------------------------------------------------------

const DbInstanceSchema = z.object({
  region: z.string(),
  DBInstanceIdentifier: z.string(),
  DBInstanceArn: z.string(),
  Engine: z.optional(z.string()),
  PubliclyAccessible: z.boolean(),
  StorageEncrypted: z.boolean(),
  BackupRetentionPeriod: z.number(),
  DeletionProtection: z._default(z.boolean(), false),
  AutoMinorVersionUpgrade: z._default(z.boolean(), false),
});

/** DescribeKey `KeyMetadata`, with GetKeyRotationStatus and GetKeyPolicy added. */
const KmsKeySchema = z.object({
  region: z.string(),
  KeyId: z.string(),
  Arn: z.string(),
  KeyManager: z.enum(["AWS", "CUSTOMER"]),
  KeyState: z.string(),
  KeySpec: z._default(z.string(), "SYMMETRIC_DEFAULT"),
  KeyUsage: z.optional(z.string()),
  DeletionDate: z.optional(IsoDate),
  /** Absent where rotation cannot be read (asymmetric keys, keys pending deletion). */
  KeyRotationEnabled: z.optional(z.boolean()),
  Policy: z.optional(PolicyDocumentSchema),
});

const LambdaFunctionSchema = z.object({
  region: z.string(),
  FunctionName: z.string(),
  FunctionArn: z.string(),
  /** Absent for container-image functions. */
  Runtime: z.optional(z.string()),
  PackageType: z._default(z.enum(["Zip", "Image"]), "Zip"),
  /** ListFunctionUrlConfigs. */
  FunctionUrlConfigs: z._default(
    z.array(z.object({ FunctionUrl: z.string(), AuthType: z.enum(["NONE", "AWS_IAM"]) })),
    [],
  ),
  /** GetPolicy; absent when the function has no resource-based policy. */
  Policy: z.optional(PolicyDocumentSchema),
});

// ---- the inventory ------------------------------------------------------------------------------

export const InventorySchema = z.object({
  schemaVersion: z.literal(1),
  /** When collection finished: the "now" of every age-based check, so checks stay pure. */
  collectedAt: IsoDate,
  partition: z._default(z.enum(["aws", "aws-cn", "aws-us-gov"]), "aws"),
  /** The regions the scan covered; per-region settings (Config, GuardDuty, …) are judged in each. */
  regions: z.array(z.string()).check(z.minLength(1)),
  account: AccountSchema,
  iam: z.prefault(IamSchema, {}),
  s3: z.prefault(z.object({ Buckets: z._default(z.array(S3BucketSchema), []) }), {}),
  cloudtrail: z.prefault(z.object({ Trails: z._default(z.array(TrailSchema), []) }), {}),
  config: z.prefault(
    z.object({
      ConfigurationRecorders: z._default(z.array(ConfigRecorderSchema), []),
      ConfigurationRecordersStatus: z._default(z.array(ConfigRecorderStatusSchema), []),
    }),
    {},
  ),
  guardduty: z.prefault(z.object({ Detectors: z._default(z.array(DetectorSchema), []) }), {}),
  ec2: z.prefault(Ec2Schema, {}),
  rds: z.prefault(z.object({ DBInstances: z._default(z.array(DbInstanceSchema), []) }), {}),
  kms: z.prefault(z.object({ Keys: z._default(z.array(KmsKeySchema), []) }), {}),
  lambda: z.prefault(z.object({ Functions: z._default(z.array(LambdaFunctionSchema), []) }), {}),
});

/** The inventory as the checks see it (defaults filled, policies normalised). */
export type Inventory = z.output<typeof InventorySchema>;
/** The inventory as a collector (or a fixture) writes it. */
export type InventoryInput = z.input<typeof InventorySchema>;

export function parseInventory(input: unknown): Inventory {
  return InventorySchema.parse(input);
}

/**
 * The resources an inventory describes, for throughput figures: each collected resource once, plus
 * one for the account itself (its password policy, root user and per-region settings). Flow logs
 * and per-region settings count as attributes of their VPC or of the account, not as resources.
 */
export function countResources(inv: Inventory): number {
  const { iam, ec2 } = inv;
  return (
    1 +
    iam.UserDetailList.length +
    iam.UserDetailList.reduce((n, u) => n + u.AccessKeys.length, 0) +
    iam.GroupDetailList.length +
    iam.RoleDetailList.length +
    iam.Policies.length +
    inv.s3.Buckets.length +
    inv.cloudtrail.Trails.length +
    inv.config.ConfigurationRecorders.length +
    inv.guardduty.Detectors.length +
    ec2.SecurityGroups.length +
    ec2.Instances.length +
    ec2.Volumes.length +
    ec2.Snapshots.length +
    ec2.Images.length +
    ec2.Vpcs.length +
    inv.rds.DBInstances.length +
    inv.kms.Keys.length +
    inv.lambda.Functions.length
  );
}

/**
 * Parses the credential report's CSV (GetCredentialReport `Content`, once base64-decoded) into rows.
 * IAM user names may contain commas, so quoted fields are honoured.
 */
export function parseCredentialReport(csv: string): CredentialReportRow[] {
  const [header, ...rows] = csvRows(csv);
  if (!header) return [];
  return rows
    .filter((r) => r.length > 1)
    .map((cells) => CredentialReportRowSchema.parse(Object.fromEntries(header.map((h, i) => [h, cells[i] ?? ""]))));
}

function csvRows(csv: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < csv.length; i++) {
    const c = csv[i];
    if (quoted) {
      if (c === '"' && csv[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(cell);
      cell = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && csv[i + 1] === "\n") i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
    } else cell += c;
  }
  if (cell !== "" || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}
