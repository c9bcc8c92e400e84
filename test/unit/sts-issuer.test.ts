/**
 * The deployed tenant-credential issuer (STS AssumeRole): what it asks STS for and what it hands
 * the table client. STS is an AWS control plane that cannot run here: aws-sdk-client-mock stands in
 * (named so). The SDK module is loaded on the first issue (`import()`), so these also prove the lazy
 * load reaches the same client the mock patches, and that a call without the role fails loudly.
 */
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { config } from "#shared/kit/config.ts";
import { stsIssuer } from "#shared/tenancy/adapters/sts.ts";

const stsMock = mockClient(STSClient);
const ROLE = "arn:aws:iam::123456789012:role/warden-tenant-access";
const before = config.WARDEN_TENANT_ROLE_ARN;

describe("stsIssuer", () => {
  beforeEach(() => {
    stsMock.reset();
    config.WARDEN_TENANT_ROLE_ARN = ROLE;
  });
  afterEach(() => {
    config.WARDEN_TENANT_ROLE_ARN = before;
  });

  it("assumes the tenant-access role tagged with the tenant, scoped down by the session policy", async () => {
    const expiration = new Date("2026-11-30T15:00:00Z");
    stsMock.on(AssumeRoleCommand).resolves({
      Credentials: { AccessKeyId: "ASIAX", SecretAccessKey: "secret", SessionToken: "token", Expiration: expiration },
    });
    const policy = JSON.stringify({ Version: "2012-10-17", Statement: [] });

    const issued = await stsIssuer.issue({ tenantId: "acme", sessionPolicy: policy, durationSeconds: 900 });

    expect(stsMock.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input)).toEqual([
      {
        RoleArn: ROLE,
        RoleSessionName: "tenant-acme",
        Tags: [{ Key: "tenant", Value: "acme" }],
        Policy: policy,
        DurationSeconds: 900,
      },
    ]);
    expect(issued).toEqual({ accessKeyId: "ASIAX", secretAccessKey: "secret", sessionToken: "token", expiration });
  });

  it("refuses an answer without credentials", async () => {
    stsMock.on(AssumeRoleCommand).resolves({});

    await expect(stsIssuer.issue({ tenantId: "acme", sessionPolicy: "{}", durationSeconds: 900 })).rejects.toThrow(
      /returned no credentials/,
    );
  });

  it("fails loudly when the role is not configured, without calling STS", async () => {
    config.WARDEN_TENANT_ROLE_ARN = undefined;

    await expect(stsIssuer.issue({ tenantId: "acme", sessionPolicy: "{}", durationSeconds: 900 })).rejects.toThrow(
      /WARDEN_TENANT_ROLE_ARN is not set/,
    );
    expect(stsMock.commandCalls(AssumeRoleCommand)).toHaveLength(0);
  });
});
