/**
 * The stateful core: the single table and the KMS keys. Everything here is retained on stack
 * deletion and the table is deletion-protected; every other stack can be torn down and redeployed.
 */
import { RemovalPolicy, Stack, type StackProps } from "aws-cdk-lib";
import { AttributeType, BillingMode, StreamViewType, Table, TableEncryption } from "aws-cdk-lib/aws-dynamodb";
import { Key, KeySpec, KeyUsage } from "aws-cdk-lib/aws-kms";
import type { Construct } from "constructs";
import { TABLE } from "#shared/table/table.ts";

export interface DataStackProps extends StackProps {
  /** Physical name, fixed so that other stacks can address the table without importing it. */
  tableName: string;
}

export class DataStack extends Stack {
  readonly table: Table;
  readonly tableName: string;
  /** Server-side encryption of the table; usable only through DynamoDB (see access-policy.ts). */
  readonly tableKey: Key;
  /** Envelope encryption of stored secrets (webhook secrets, private keys, cloud credentials). */
  readonly dataKey: Key;
  /** Signs access tokens (ES256); the private half never leaves KMS. */
  readonly jwtKey: Key;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);

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
