/**
 * The customer's read-only scan role template (`npm run customer-role`): what a customer deploys in
 * the account Cloudsentinel scans. It must trust only Warden's cloud-scan roles, only with the
 * customer's external id, and grant read-only AWS policies only.
 */
import { App } from "aws-cdk-lib";
import { beforeAll, describe, expect, it } from "vitest";
import { deploymentNames } from "#infra/constructs/access-policy.ts";
import { customerRoleTemplate } from "#infra/customer-role.ts";
import { CustomerScanRoleStack } from "#infra/stacks/customer-role-stack.ts";
import { nagFindings } from "./synth-app.ts";

type Template = {
  Parameters: Record<string, { Default?: string; AllowedPattern?: string; MinLength?: number }>;
  Resources: Record<string, { Type: string; Properties: Record<string, any> }>;
  Rules?: unknown;
};
const roleOf = (t: Template) => {
  const roles = Object.values(t.Resources).filter((r) => r.Type === "AWS::IAM::Role");
  expect(roles).toHaveLength(1);
  return roles[0]?.Properties as Record<string, any>;
};

let template: Template;
let staging: Template;
beforeAll(() => {
  template = customerRoleTemplate({}) as Template;
  staging = customerRoleTemplate({ platformAccountId: "111122223333", prefix: "Staging" }) as Template;
}, 120_000);

describe("the customer's scan role template", () => {
  it("trusts Warden's account, only its cloud-scan roles, only with the external id", () => {
    const t = template;
    const [trust, ...more] = roleOf(t).AssumeRolePolicyDocument.Statement;
    expect(more).toEqual([]);
    expect(trust.Action).toBe("sts:AssumeRole");
    expect(JSON.stringify(trust.Principal)).toContain('{"Ref":"WardenAccountId"},":root"');
    expect(trust.Condition.StringEquals).toEqual({ "sts:ExternalId": { Ref: "ExternalId" } });
    const principalArn = JSON.stringify(trust.Condition.ArnLike["aws:PrincipalArn"]);
    expect(principalArn).toContain(`:role${deploymentNames("Warden").scannerRolePath}*`);
    // The path the scanner roles of the app carry (test/infra/iam.test.ts checks them).
    expect(deploymentNames("Warden").scannerRolePath).toBe("/warden-cloud-scanner/");
    expect(t.Parameters.ExternalId?.MinLength).toBe(16);
  });

  it("grants SecurityAudit and ViewOnlyAccess, and nothing of its own", () => {
    const t = template;
    const role = roleOf(t);
    expect(JSON.stringify(role.ManagedPolicyArns)).toContain(":iam::aws:policy/SecurityAudit");
    expect(JSON.stringify(role.ManagedPolicyArns)).toContain(":iam::aws:policy/job-function/ViewOnlyAccess");
    expect(role.ManagedPolicyArns).toHaveLength(2);
    expect(role.Policies).toBeUndefined();
    expect(Object.values(t.Resources).map((r) => r.Type)).toEqual(["AWS::IAM::Role"]);
    expect(role.MaxSessionDuration).toBe(3600);
  });

  it("deploys without CDK bootstrap and takes Warden's account and deployment prefix as given", () => {
    const t = staging;
    expect(t.Parameters.WardenAccountId?.Default).toBe("111122223333");
    expect(t.Parameters.BootstrapVersion).toBeUndefined();
    expect(t.Rules).toBeUndefined();
    const trust = roleOf(t).AssumeRolePolicyDocument.Statement[0];
    expect(JSON.stringify(trust.Condition.ArnLike)).toContain(":role/staging-cloud-scanner/*");
  });

  it("passes cdk-nag AwsSolutions", () => {
    const app = new App();
    const stack = new CustomerScanRoleStack(app, "Role", { scannerRolePath: "/warden-cloud-scanner/" });
    expect(nagFindings(stack)).toEqual([]);
  });
});
