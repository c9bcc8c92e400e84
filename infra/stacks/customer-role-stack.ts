/**
 * The read-only role a customer deploys in the AWS account they want Cloudsentinel to scan
 * (`credentials: {"role_arn", "external_id"}`). Not part of the Warden app: `npm run customer-role`
 * writes its CloudFormation template (infra/customer-role.ts), which the customer deploys in their
 * own account (console or `aws cloudformation deploy`).
 *
 * The role trusts Warden's account, and within it only the cloud-scan roles (their IAM path,
 * `aws:PrincipalArn`), and only with the customer's external id (`sts:ExternalId`: the
 * confused-deputy guard — another Warden tenant naming this role without the id is refused). Its
 * permissions are AWS's own read-only job policies, SecurityAudit and ViewOnlyAccess: nothing it
 * holds can change the account or read data (object contents, secrets' values).
 */
import { Aws, CfnOutput, CfnParameter, Duration, Stack, type StackProps, Validations } from "aws-cdk-lib";
import { AccountPrincipal, ManagedPolicy, Role } from "aws-cdk-lib/aws-iam";
import type { Construct } from "constructs";

export interface CustomerScanRoleStackProps extends StackProps {
  /** Warden's AWS account id; without it the template asks for it (parameter `WardenAccountId`). */
  platformAccountId?: string;
  /** The IAM path of Warden's cloud-scan roles (access-policy.ts `deploymentNames().scannerRolePath`). */
  scannerRolePath: string;
}

/** AWS managed job-function policies, read-only; granted to the scan role, nothing else. */
export const CUSTOMER_SCAN_POLICIES = ["SecurityAudit", "job-function/ViewOnlyAccess"] as const;

export class CustomerScanRoleStack extends Stack {
  readonly role: Role;

  constructor(scope: Construct, id: string, props: CustomerScanRoleStackProps) {
    super(scope, id, props);

    const platformAccount = new CfnParameter(this, "WardenAccountId", {
      type: "String",
      description: "The AWS account id Warden runs in (its operator gives it).",
      allowedPattern: "^\\d{12}$",
      constraintDescription: "a 12-digit AWS account id",
      ...(props.platformAccountId && { default: props.platformAccountId }),
    });
    const externalId = new CfnParameter(this, "ExternalId", {
      type: "String",
      description:
        "A secret-ish value only you and Warden know (at least 16 characters, e.g. a random UUID); give the " +
        "same value as credentials.external_id when starting a scan.",
      minLength: 16,
      maxLength: 1224,
      allowedPattern: "^[\\w+=,.@:/-]+$",
    });
    const roleName = new CfnParameter(this, "RoleName", {
      type: "String",
      description: "Name of the role to create; its ARN is the role_arn of a scan.",
      default: "WardenSecurityAudit",
      allowedPattern: "^[\\w+=,.@-]{1,64}$",
    });

    const account = platformAccount.valueAsString;
    this.role = new Role(this, "ScanRole", {
      roleName: roleName.valueAsString,
      description: "Warden Cloudsentinel: read-only security scans of this account",
      assumedBy: new AccountPrincipal(account).withConditions({
        StringEquals: { "sts:ExternalId": externalId.valueAsString },
        ArnLike: { "aws:PrincipalArn": `arn:${Aws.PARTITION}:iam::${account}:role${props.scannerRolePath}*` },
      }),
      managedPolicies: CUSTOMER_SCAN_POLICIES.map((p) => ManagedPolicy.fromAwsManagedPolicyName(p)),
      // A scan session lasts one hour (the collectors ask for 3,600 s).
      maxSessionDuration: Duration.hours(1),
    });
    for (const policy of CUSTOMER_SCAN_POLICIES) {
      Validations.of(this.role).acknowledge({
        id: `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${policy}]`,
        reason:
          "AWS maintains SecurityAudit and ViewOnlyAccess as the read-only sets for security tooling; they gain " +
          "the read actions of new services as AWS adds them, which a hand-written copy would miss.",
      });
    }

    new CfnOutput(this, "RoleArn", {
      description: "Give this as credentials.role_arn (with your external id) when starting a Warden scan.",
      value: this.role.roleArn,
    });
  }
}
