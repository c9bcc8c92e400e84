/** VPC: is network traffic recorded. */
import type { CheckDefinition, Result } from "./types.ts";

export const vpcChecks: CheckDefinition[] = [
  {
    id: "vpc_flow_logs_enabled",
    title: "VPC has flow logs",
    service: "vpc",
    severity: "medium",
    resourceType: "AwsEc2Vpc",
    categories: ["logging", "forensics-ready"],
    risk: "Without flow logs there is no record of which addresses talked to what, so lateral movement and exfiltration go unseen.",
    remediation: {
      cli: "aws ec2 create-flow-logs --resource-type VPC --resource-ids <vpc> --traffic-type ALL --log-destination-type cloud-watch-logs --log-group-name <group> --deliver-logs-permission-arn <role-arn>",
      console: "VPC > Your VPCs > the VPC > Flow logs > Create flow log: filter All, and a destination.",
      url: "https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs.html",
    },
    frameworks: {
      "cis-aws-foundations-v3.0": ["3.7"],
      "aws-fsbp": ["EC2.6"],
      "nist-csf-2.0": ["DE.CM-01", "ID.AM-03", "ID.RA-05", "RS.AN-03", "RS.AN-06", "RS.AN-07"],
      "iso-27001-2022": ["A.8.15", "A.8.16", "A.8.20", "A.8.21", "A.8.22", "A.8.23"],
    },
    evaluate: (inv) => {
      const logged = new Set(inv.ec2.FlowLogs.filter((f) => f.FlowLogStatus === "ACTIVE").map((f) => f.ResourceId));
      return inv.ec2.Vpcs.map(
        (vpc): Result => ({
          status: logged.has(vpc.VpcId) ? "PASS" : "FAIL",
          resourceId: vpc.VpcId,
          resourceArn: `arn:${inv.partition}:ec2:${vpc.region}:${inv.account.AccountId}:vpc/${vpc.VpcId}`,
          region: vpc.region,
          details: `VPC ${vpc.VpcId}${vpc.IsDefault ? " (default)" : ""} ${logged.has(vpc.VpcId) ? "has active flow logs" : "has no active flow log"}.`,
        }),
      );
    },
  },
];
