/**
 * The stateful core: the single table and the KMS keys. Everything here is retained on stack
 * deletion and the table is deletion-protected; every other stack can be torn down and redeployed.
 */
import { Aws, Duration, RemovalPolicy, Stack, type StackProps, Validations } from "aws-cdk-lib";
import { AttributeType, BillingMode, StreamViewType, Table, TableEncryption } from "aws-cdk-lib/aws-dynamodb";
import { Key, KeySpec, KeyUsage } from "aws-cdk-lib/aws-kms";
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from "aws-cdk-lib/aws-s3";
import type { Construct } from "constructs";
import { RETENTION_DAYS } from "#shared/blobs/blobs.ts";
import { TABLE } from "#shared/table/table.ts";

export interface DataStackProps extends StackProps {
  /** Physical name, fixed so that other stacks can address the table without importing it. */
  tableName: string;
  /** Physical name of the blob bucket, fixed for the same reason (account and region make it unique). */
  blobBucketName: string;
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
    });

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
  }
}
