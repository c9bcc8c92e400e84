import { Match, type Template } from "aws-cdk-lib/assertions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TABLE } from "#shared/table/table.ts";
import { nagFindings, type SynthesizedWarden, synthWarden } from "./synth-app.ts";

let warden: SynthesizedWarden;
let template: Template;

beforeAll(async () => {
  // The data stack does not depend on the routes; an app without them synthesizes in a blink.
  warden = await synthWarden({ routeFiles: {}, workers: [] });
  template = warden.template(warden.data);
});
afterAll(() => warden?.cleanup());

describe("data stack", () => {
  it("creates the single table from the shared key declaration", () => {
    const attributes = [
      TABLE.partitionKey,
      TABLE.sortKey,
      ...TABLE.indexes.flatMap((i) => [i.partitionKey, i.sortKey]),
    ];
    template.hasResourceProperties("AWS::DynamoDB::Table", {
      KeySchema: [
        { AttributeName: TABLE.partitionKey, KeyType: "HASH" },
        { AttributeName: TABLE.sortKey, KeyType: "RANGE" },
      ],
      AttributeDefinitions: Match.arrayWith(attributes.map((a) => ({ AttributeName: a, AttributeType: "S" }))),
      GlobalSecondaryIndexes: TABLE.indexes.map((i) => ({
        IndexName: i.name,
        KeySchema: [
          { AttributeName: i.partitionKey, KeyType: "HASH" },
          { AttributeName: i.sortKey, KeyType: "RANGE" },
        ],
        Projection: { ProjectionType: "ALL" },
      })),
      TableName: "warden-table",
    });
  });

  it("bills on demand, keeps point-in-time recovery, a full-image stream and the TTL attribute", () => {
    template.hasResourceProperties("AWS::DynamoDB::Table", {
      BillingMode: "PAY_PER_REQUEST",
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      StreamSpecification: { StreamViewType: "NEW_AND_OLD_IMAGES" },
      TimeToLiveSpecification: { AttributeName: TABLE.ttlAttribute, Enabled: true },
    });
  });

  it("protects the table from deletion, by API and by stack", () => {
    template.hasResource("AWS::DynamoDB::Table", {
      Properties: Match.objectLike({ DeletionProtectionEnabled: true }),
      DeletionPolicy: "Retain",
      UpdateReplacePolicy: "Retain",
    });
  });

  it("encrypts the table with its own customer-managed key, not the secrets key", () => {
    const keys = template.findResources("AWS::KMS::Key");
    const tableKey = Object.keys(keys).find((id) => id.startsWith("TableKey"));
    expect(tableKey).toBeDefined();
    template.hasResourceProperties("AWS::DynamoDB::Table", {
      SSESpecification: { SSEEnabled: true, SSEType: "KMS", KMSMasterKeyId: { "Fn::GetAtt": [tableKey, "Arn"] } },
    });
  });

  it("has a rotating symmetric data key for envelope encryption", () => {
    template.hasResourceProperties("AWS::KMS::Key", {
      Description: Match.stringLikeRegexp("envelope encryption"),
      EnableKeyRotation: true,
      KeySpec: Match.absent(),
    });
  });

  it("has an ECC P-256 sign/verify key for access tokens", () => {
    template.hasResourceProperties("AWS::KMS::Key", { KeySpec: "ECC_NIST_P256", KeyUsage: "SIGN_VERIFY" });
  });

  it("retains every key (table, data, token signing, blobs) when the stack is deleted", () => {
    const keys = Object.values(template.findResources("AWS::KMS::Key"));
    expect(keys).toHaveLength(4);
    for (const key of keys) expect(key.DeletionPolicy).toBe("Retain");
  });

  it("passes cdk-nag AwsSolutions with no unacknowledged finding", () => {
    expect(nagFindings(warden.data)).toEqual([]);
  });
});
