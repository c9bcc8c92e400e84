/**
 * Inventory builders for the posture tests: a small account where everything is compliant, and one
 * builder per resource returning a compliant item, so each test states only what it breaks.
 * Ages are given in days before COLLECTED_AT, the inventory's "now".
 */
import { type Inventory, type InventoryInput, parseInventory } from "#shared/posture/inventory.ts";

export const ACCOUNT = "111122223333";
export const REGION = "us-east-1";
export const COLLECTED_AT = "2026-03-02T12:00:00.000Z";

export function daysAgo(days: number): string {
  return new Date(Date.parse(COLLECTED_AT) - days * 86_400_000).toISOString();
}

type Account = InventoryInput["account"];
type Input<K extends keyof InventoryInput> = NonNullable<InventoryInput[K]>;
type Item<T> = NonNullable<T> extends readonly (infer E)[] ? E : never;
export type BucketInput = Item<Input<"s3">["Buckets"]>;
export type UserInput = Item<Input<"iam">["UserDetailList"]>;
export type AccessKeyInput = Item<UserInput["AccessKeys"]>;
export type TrailInput = Item<Input<"cloudtrail">["Trails"]>;
export type SecurityGroupInput = Item<Input<"ec2">["SecurityGroups"]>;
export type InstanceInput = Item<Input<"ec2">["Instances"]>;
export type DbInput = Item<Input<"rds">["DBInstances"]>;
export type KeyInput = Item<Input<"kms">["Keys"]>;
export type FunctionInput = Item<Input<"lambda">["Functions"]>;
export type PolicyInput = Item<Input<"iam">["Policies"]>;

export const BLOCK_ALL = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};

export const STRONG_PASSWORD_POLICY = {
  MinimumPasswordLength: 16,
  RequireSymbols: true,
  RequireNumbers: true,
  RequireUppercaseCharacters: true,
  RequireLowercaseCharacters: true,
  ExpirePasswords: true,
  MaxPasswordAge: 90,
  PasswordReusePrevention: 24,
};

export function rootRow(overrides: Partial<Item<Account["CredentialReport"]>> = {}) {
  return {
    user: "<root_account>",
    arn: `arn:aws:iam::${ACCOUNT}:root`,
    password_enabled: "not_supported",
    password_last_used: daysAgo(200),
    mfa_active: "true",
    access_key_1_active: "false",
    access_key_1_last_used_date: "N/A",
    access_key_2_active: "false",
    access_key_2_last_used_date: "N/A",
    ...overrides,
  };
}

const BASE_ACCOUNT: Account = {
  AccountId: ACCOUNT,
  PasswordPolicy: STRONG_PASSWORD_POLICY,
  PublicAccessBlockConfiguration: null,
  CredentialReport: [rootRow()],
  AlternateContacts: [{ AlternateContactType: "SECURITY", EmailAddress: "sec@example.com" }],
};

type Parts = Omit<Partial<InventoryInput>, "account"> & { account?: Partial<Account> };

/** A parsed inventory: the compliant base account with `parts` laid over it. */
export function inventory(parts: Parts = {}): Inventory {
  return parseInventory({
    schemaVersion: 1,
    collectedAt: COLLECTED_AT,
    regions: [REGION],
    iam: { VirtualMFADevices: [] },
    ...parts,
    account: { ...BASE_ACCOUNT, ...parts.account },
  });
}

export function bucket(overrides: Partial<BucketInput> = {}): BucketInput {
  const name = overrides.Name ?? "data-bucket";
  return {
    Name: name,
    region: REGION,
    Acl: { Grants: [{ Grantee: { Type: "CanonicalUser", ID: "owner" }, Permission: "FULL_CONTROL" }] },
    Policy: {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Deny",
          Principal: "*",
          Action: "s3:*",
          Resource: [`arn:aws:s3:::${name}`, `arn:aws:s3:::${name}/*`],
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
      ],
    },
    PublicAccessBlockConfiguration: BLOCK_ALL,
    ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms" } }] },
    Versioning: { Status: "Enabled", MFADelete: "Enabled" },
    Logging: { LoggingEnabled: { TargetBucket: "logs", TargetPrefix: `${name}/` } },
    ...overrides,
  };
}

export const ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers";

export function publicReadPolicy(bucketName: string, extra: Record<string, unknown> = {}) {
  return {
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: `arn:aws:s3:::${bucketName}/*`, ...extra },
    ],
  };
}

export function accessKey(overrides: Partial<AccessKeyInput> = {}): AccessKeyInput {
  return {
    AccessKeyId: "AKIATESTKEY000000001",
    Status: "Active",
    CreateDate: daysAgo(30),
    AccessKeyLastUsed: { LastUsedDate: daysAgo(1) },
    ...overrides,
  };
}

export function user(overrides: Partial<UserInput> = {}): UserInput {
  const name = overrides.UserName ?? "alice";
  return {
    UserName: name,
    Arn: `arn:aws:iam::${ACCOUNT}:user/${name}`,
    CreateDate: daysAgo(400),
    PasswordLastUsed: daysAgo(2),
    LoginProfile: { CreateDate: daysAgo(400) },
    MFADevices: [{ SerialNumber: `arn:aws:iam::${ACCOUNT}:mfa/${name}` }],
    AccessKeys: [],
    GroupList: ["staff"],
    AttachedManagedPolicies: [],
    UserPolicyList: [],
    ...overrides,
  };
}

export const ADMIN_DOC = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };
export const READ_DOC = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: ["s3:GetObject"], Resource: "arn:aws:s3:::data-bucket/*" }],
};

export function managedPolicy(arn: string, document: unknown, attachments = 1): PolicyInput {
  return {
    PolicyName: arn.split("/").pop() ?? arn,
    Arn: arn,
    AttachmentCount: attachments,
    DefaultVersionId: "v1",
    PolicyVersionList: [{ VersionId: "v1", IsDefaultVersion: true, Document: JSON.stringify(document) }],
  };
}

export function trail(overrides: Partial<TrailInput> = {}): TrailInput {
  const name = overrides.Name ?? "main";
  return {
    Name: name,
    TrailARN: `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/${name}`,
    HomeRegion: REGION,
    region: REGION,
    IsMultiRegionTrail: true,
    LogFileValidationEnabled: true,
    KmsKeyId: `arn:aws:kms:${REGION}:${ACCOUNT}:key/trail-key`,
    S3BucketName: "trail-logs",
    CloudWatchLogsLogGroupArn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:trail:*`,
    Status: { IsLogging: true, LatestCloudWatchLogsDeliveryTime: daysAgo(0) },
    EventSelectors: [{ ReadWriteType: "All", IncludeManagementEvents: true }],
    ...overrides,
  };
}

export function securityGroup(overrides: Partial<SecurityGroupInput> = {}): SecurityGroupInput {
  return {
    region: REGION,
    GroupId: "sg-0000000000000000a",
    GroupName: "app",
    VpcId: "vpc-00000001",
    IpPermissions: [{ IpProtocol: "tcp", FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: "0.0.0.0/0" }] }],
    IpPermissionsEgress: [{ IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }] }],
    ...overrides,
  };
}

export function instance(overrides: Partial<InstanceInput> = {}): InstanceInput {
  return {
    region: REGION,
    InstanceId: "i-0000000000000000a",
    State: { Name: "running" },
    MetadataOptions: { HttpTokens: "required", HttpEndpoint: "enabled" },
    ...overrides,
  };
}

export function db(overrides: Partial<DbInput> = {}): DbInput {
  return {
    region: REGION,
    DBInstanceIdentifier: "orders",
    DBInstanceArn: `arn:aws:rds:${REGION}:${ACCOUNT}:db:orders`,
    PubliclyAccessible: false,
    StorageEncrypted: true,
    BackupRetentionPeriod: 7,
    DeletionProtection: true,
    AutoMinorVersionUpgrade: true,
    ...overrides,
  };
}

export function kmsKey(overrides: Partial<KeyInput> = {}): KeyInput {
  return {
    region: REGION,
    KeyId: "key-1",
    Arn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/key-1`,
    KeyManager: "CUSTOMER",
    KeyState: "Enabled",
    KeySpec: "SYMMETRIC_DEFAULT",
    KeyRotationEnabled: true,
    Policy: {
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:*", Resource: "*" },
      ],
    },
    ...overrides,
  };
}

export function lambdaFunction(overrides: Partial<FunctionInput> = {}): FunctionInput {
  return {
    region: REGION,
    FunctionName: "api",
    FunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:api`,
    Runtime: "nodejs22.x",
    FunctionUrlConfigs: [{ FunctionUrl: "https://abc.lambda-url.us-east-1.on.aws/", AuthType: "AWS_IAM" }],
    ...overrides,
  };
}
