/**
 * The stateful core: the single table and the KMS keys. Everything here is retained on stack
 * deletion and the table is deletion-protected; every other stack can be torn down and redeployed.
 */
import { Aws, Duration, RemovalPolicy, Stack, type StackProps, Validations } from "aws-cdk-lib";
import { AttributeType, BillingMode, StreamViewType, Table, TableEncryption } from "aws-cdk-lib/aws-dynamodb";
import { AccountPrincipal, AccountRootPrincipal, PolicyDocument, PolicyStatement, Role } from "aws-cdk-lib/aws-iam";
import { Key, KeySpec, KeyUsage } from "aws-cdk-lib/aws-kms";
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from "aws-cdk-lib/aws-s3";
import type { Construct } from "constructs";
import { RETENTION_DAYS } from "#shared/blobs/blobs.ts";
import { TABLE } from "#shared/table/table.ts";
import {
  TENANT_ACCESS_PRINCIPAL_TAG,
  TOKEN_SIGNER_TAG_KEY,
  tenantAccessRoleIotStatement,
  tenantAccessRoleStatements,
} from "../constructs/access-policy.ts";
import { acknowledgeTenantThings } from "../constructs/nag.ts";

export interface DataStackProps extends StackProps {
  /** Physical name, fixed so that other stacks can address the table without importing it. */
  tableName: string;
  /** Physical name of the blob bucket, fixed for the same reason (account and region make it unique). */
  blobBucketName: string;
  /** Physical name of the tenant-access role (default `<tableName>-tenant-access`), fixed for the same reason. */
  tenantRoleName?: string;
}

/** The blob bucket's name for a deployment prefix: per account and region, as S3 names are global. */
export const blobBucketNameFor = (prefix: string): string =>
  `${prefix.toLowerCase()}-blobs-${Aws.ACCOUNT_ID}-${Aws.REGION}`;

export class DataStack extends Stack {
  readonly table: Table;
  readonly tableName: string;
  /** Server-side encryption of the table; usable only through DynamoDB (see access-policy.ts). */
  readonly tableKey: Key;
  /** Envelope encryption of stored secrets (webhook secrets, private keys, cloud credentials). */
  readonly dataKey: Key;
  /** Signs access tokens (ES256); the private half never leaves KMS. */
  readonly jwtKey: Key;
  /** Per-tenant files (backups, uploads, models): private, KMS-encrypted, expired by retention tag. */
  readonly blobBucket: Bucket;
  readonly blobBucketName: string;
  readonly blobKey: Key;
  /** Assumed per tenant (session tag `tenant`) by the routes with a verified caller: the tenant fence. */
  readonly tenantRole: Role;
  readonly tenantRoleName: string;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    // Termination protection: `cdk destroy` (or a console click) cannot delete the stack that holds
    // every tenant's data and keys; turning it off is a deliberate, separate act.
    super(scope, id, { terminationProtection: true, ...props });

    // Separate keys, so reading the table never implies decrypting the secrets stored in it.
    this.tableKey = new Key(this, "TableKey", {
      description: "Warden: DynamoDB server-side encryption of the single table",
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.dataKey = new Key(this, "DataKey", {
      description: "Warden: envelope encryption of secrets stored in the table",
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.jwtKey = new Key(this, "JwtSigningKey", {
      description: "Warden: ES256 signing key for access tokens",
      keySpec: KeySpec.ECC_NIST_P256,
      keyUsage: KeyUsage.SIGN_VERIFY,
      removalPolicy: RemovalPolicy.RETAIN,
      policy: tokenKeyPolicy(this.stackName),
    });
    // A stable name for people and the rotation runbook (docs/token-key-rotation.md); functions get the ARN.
    this.jwtKey.addAlias(`alias/${this.stackName}/token-signing`);

    this.blobKey = new Key(this, "BlobKey", {
      description: "Warden: server-side encryption of the blob bucket (backups, uploads, models)",
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.blobBucketName = props.blobBucketName;
    this.blobBucket = new Bucket(this, "Blobs", {
      bucketName: props.blobBucketName,
      encryption: BucketEncryption.KMS,
      encryptionKey: this.blobKey,
      bucketKeyEnabled: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.RETAIN,
      // A blob's retention (shared/blobs) is an object tag; one rule per class expires it.
      lifecycleRules: [
        { id: "abort-incomplete-uploads", abortIncompleteMultipartUploadAfter: Duration.days(1) },
        ...RETENTION_DAYS.map((days) => ({
          id: `retention-${days}d`,
          tagFilters: { "retention-days": String(days) },
          expiration: Duration.days(days),
        })),
      ],
    });
    Validations.of(this.blobBucket).acknowledge({
      id: "AwsSolutions-S1",
      reason:
        "Every read and write of a blob goes through a Warden route that writes the tenant's audit trail " +
        "(who, what, when); S3 server access logs would need a second bucket and duplicate that record.",
    });

    this.tableName = props.tableName;
    const string = (name: string) => ({ name, type: AttributeType.STRING });
    this.table = new Table(this, "Table", {
      tableName: props.tableName,
      partitionKey: string(TABLE.partitionKey),
      sortKey: string(TABLE.sortKey),
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Old and new images: the WebSocket and webhook fan-out need both to describe a change.
      stream: StreamViewType.NEW_AND_OLD_IMAGES,
      timeToLiveAttribute: TABLE.ttlAttribute,
      deletionProtection: true,
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.tableKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of TABLE.indexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: string(index.partitionKey),
        sortKey: string(index.sortKey),
      });
    }

    // Tenant isolation in IAM (README "Tenant isolation"): a route with a verified caller holds
    // no table permission of its own beyond the pre-tenant needs; for the caller's tenant it
    // assumes this role with the session tag `tenant=<id>` (and its own table statements as the
    // session policy), and this role reaches only that tenant's partitions.
    this.tenantRoleName = props.tenantRoleName ?? `${props.tableName}-tenant-access`;
    const account = new AccountPrincipal(this.account);
    this.tenantRole = new Role(this, "TenantAccessRole", {
      roleName: this.tenantRoleName,
      description:
        "Warden: one tenant's table partitions and things, assumed per tenant by the API routes (session tag tenant)",
      assumedBy: account.withConditions({
        StringEquals: { [`aws:PrincipalTag/${TENANT_ACCESS_PRINCIPAL_TAG.key}`]: TENANT_ACCESS_PRINCIPAL_TAG.value },
        ArnLike: { "aws:PrincipalArn": `arn:${this.partition}:iam::${this.account}:role/*` },
      }),
      maxSessionDuration: Duration.hours(1),
    });
    // The session must carry exactly one tag, `tenant`, with a value (its policy reads it).
    this.tenantRole.assumeRolePolicy?.addStatements(
      new PolicyStatement({
        actions: ["sts:TagSession"],
        principals: [account],
        conditions: {
          StringEquals: { [`aws:PrincipalTag/${TENANT_ACCESS_PRINCIPAL_TAG.key}`]: TENANT_ACCESS_PRINCIPAL_TAG.value },
          "ForAllValues:StringEquals": { "aws:TagKeys": ["tenant"] },
          Null: { "aws:RequestTag/tenant": "false" },
        },
      }),
    );
    // The table's ARN from its name, as the functions build it (and as cdk-nag prints it below).
    const tableArn = this.formatArn({ service: "dynamodb", resource: "table", resourceName: props.tableName });
    for (const statement of tenantAccessRoleStatements(tableArn)) this.tenantRole.addToPolicy(statement);
    // The tenant's things (`warden_<tenant>_<gateway>`): the routes' shadow and registry calls.
    this.tenantRole.addToPolicy(tenantAccessRoleIotStatement(this));
    acknowledgeTenantThings(this.tenantRole);
    this.tenantRole.addToPolicy(
      new PolicyStatement({
        actions: ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"],
        resources: [this.tableKey.keyArn],
        conditions: { StringEquals: { "kms:ViaService": `dynamodb.${this.region}.${this.urlSuffix}` } },
      }),
    );
  }
}

/**
 * KMS administration actions (manage, describe, schedule deletion), with no use of the key: in
 * particular no kms:Sign, so IAM alone (even `kms:*`) never lets a principal sign access tokens.
 */
export const KEY_ADMIN_ACTIONS = [
  "kms:Create*",
  "kms:Describe*",
  "kms:Enable*",
  "kms:List*",
  "kms:Put*",
  "kms:Update*",
  "kms:Revoke*",
  "kms:Disable*",
  "kms:Get*",
  "kms:Delete*",
  "kms:TagResource",
  "kms:UntagResource",
  "kms:ScheduleKeyDeletion",
  "kms:CancelKeyDeletion",
];

/**
 * The token-signing key's policy. Whoever holds kms:Sign can mint a token for any user of any
 * tenant, so the key policy itself decides who signs: the account administers the key and reads its
 * public half through IAM (GetPublicKey for verifiers), and signs only from a role tagged
 * `warden:token-signer=<this stack>`, which the app puts on the roles of `jwtSign` functions
 * (sign-in, 2FA sign-in, sign-up, the token route) and nothing else. A role still needs its own IAM
 * grant as well. Tagging roles (iam:TagRole) is then as sensitive as kms:Sign; see the runbook.
 */
function tokenKeyPolicy(stackName: string): PolicyDocument {
  const account = new AccountRootPrincipal();
  return new PolicyDocument({
    statements: [
      new PolicyStatement({
        sid: "KeyAdministration",
        principals: [account],
        actions: KEY_ADMIN_ACTIONS,
        resources: ["*"],
      }),
      new PolicyStatement({
        sid: "TokenSigningRolesOnly",
        principals: [account],
        actions: ["kms:Sign"],
        resources: ["*"],
        conditions: { StringEquals: { [`aws:PrincipalTag/${TOKEN_SIGNER_TAG_KEY}`]: stackName } },
      }),
    ],
  });
}
