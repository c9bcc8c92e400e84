/** The inventory contract: what collectors may hand in, and how it is normalised for the checks. */
import { describe, expect, it } from "vitest";
import { countResources, PolicyDocumentSchema, parseCredentialReport } from "#shared/posture/inventory.ts";
import { bucket, instance, inventory, user } from "./fixtures.ts";

describe("policy documents", () => {
  it("decodes IAM's URL-encoded JSON and lists every Action, Resource and Principal", () => {
    const raw = encodeURIComponent(
      JSON.stringify({
        Version: "2012-10-17",
        Statement: { Effect: "Allow", Action: "s3:GetObject", Resource: "*", Principal: "*" },
      }),
    );
    const doc = PolicyDocumentSchema.parse(raw);
    expect(doc.Statement).toHaveLength(1);
    expect(doc.Statement[0]).toMatchObject({ Action: ["s3:GetObject"], Resource: ["*"], Principal: { AWS: ["*"] } });
  });

  it("turns condition values into lists of strings, as IAM compares them", () => {
    const doc = PolicyDocumentSchema.parse({
      Statement: [
        { Effect: "Deny", Action: "*", Resource: "*", Condition: { Bool: { "aws:SecureTransport": false } } },
      ],
    });
    expect(doc.Statement[0]?.Condition).toEqual({ Bool: { "aws:SecureTransport": ["false"] } });
  });

  it("refuses a policy that is not JSON, or a statement without an Effect", () => {
    expect(PolicyDocumentSchema.safeParse("{not json").success).toBe(false);
    expect(PolicyDocumentSchema.safeParse({ Statement: [{ Action: "*" }] }).success).toBe(false);
  });
});

describe("inventory", () => {
  it("fills absent services with empty collections", () => {
    const inv = inventory();
    expect(inv.s3.Buckets).toEqual([]);
    expect(inv.ec2.SecurityGroups).toEqual([]);
    expect(inv.lambda.Functions).toEqual([]);
  });

  it("refuses an inventory without a valid collectedAt or account id", () => {
    expect(() => inventory({ collectedAt: "yesterday" })).toThrow();
    expect(() => inventory({ account: { AccountId: "12345" } })).toThrow();
  });

  it("counts each collected item once, plus the account", () => {
    const inv = inventory({
      s3: { Buckets: [bucket({ Name: "a" }), bucket({ Name: "b" })] },
      iam: {
        UserDetailList: [
          user({ AccessKeys: [{ AccessKeyId: "AKIA1", Status: "Active", CreateDate: "2026-01-01T00:00:00Z" }] }),
        ],
      },
      ec2: { Instances: [instance()] },
    });
    // 1 account + 2 buckets + 1 user + 1 access key + 1 instance
    expect(countResources(inv)).toBe(6);
  });
});

describe("credential report CSV", () => {
  it("maps each row by the report's header, honouring quoted commas", () => {
    const csv = [
      "user,arn,mfa_active,access_key_1_active",
      "<root_account>,arn:aws:iam::111122223333:root,true,false",
      '"ops,team",arn:aws:iam::111122223333:user/ops,false,true',
      "",
    ].join("\n");
    expect(parseCredentialReport(csv)).toEqual([
      {
        user: "<root_account>",
        arn: "arn:aws:iam::111122223333:root",
        mfa_active: "true",
        access_key_1_active: "false",
      },
      { user: "ops,team", arn: "arn:aws:iam::111122223333:user/ops", mfa_active: "false", access_key_1_active: "true" },
    ]);
  });
});
