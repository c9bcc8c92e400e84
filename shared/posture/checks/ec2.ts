/** EC2: what the internet can reach, what sits on disk unencrypted or shared, and instance metadata. */
import type { Inventory, IpPermission, SecurityGroup } from "../inventory.ts";
import { accountRegionId } from "./resource-ids.ts";
import type { CheckDefinition, Result } from "./types.ts";

const SG_URL = "https://docs.aws.amazon.com/vpc/latest/userguide/VPC_SecurityGroups.html";
const SG_FRAMEWORKS = {
  "cis-aws-foundations-v3.0": ["5.2", "5.3"],
  "nist-csf-2.0": ["PR.IR-01", "RS.MI-01", "RS.MI-02"],
  "iso-27001-2022": ["A.8.20", "A.8.21", "A.8.22"],
};

function ec2Arn(inv: Inventory, region: string, type: string, id: string, owned = true): string {
  // Snapshot and image ARNs carry no account: they are addressable across accounts by design.
  return `arn:${inv.partition}:ec2:${region}:${owned ? inv.account.AccountId : ""}:${type}/${id}`;
}

/** The world-open sources of a rule: "0.0.0.0/0" and/or "::/0". */
function internetSources(rule: IpPermission): string[] {
  const sources: string[] = [];
  if (rule.IpRanges.some((r) => r.CidrIp === "0.0.0.0/0")) sources.push("0.0.0.0/0");
  if (rule.Ipv6Ranges.some((r) => r.CidrIpv6 === "::/0")) sources.push("::/0");
  return sources;
}

const isTcp = (protocol: string) => protocol === "tcp" || protocol === "6";
const isUdp = (protocol: string) => protocol === "udp" || protocol === "17";

function reachesTcpPort(rule: IpPermission, port: number): boolean {
  if (rule.IpProtocol === "-1") return true;
  return isTcp(rule.IpProtocol) && (rule.FromPort ?? 0) <= port && port <= (rule.ToPort ?? 65535);
}

function reachesEveryPort(rule: IpPermission): boolean {
  if (rule.IpProtocol === "-1") return true;
  return (
    (isTcp(rule.IpProtocol) || isUdp(rule.IpProtocol)) && (rule.FromPort ?? 0) <= 0 && (rule.ToPort ?? 65535) >= 65535
  );
}

function internetIngressCheck(
  id: string,
  what: string,
  matches: (rule: IpPermission) => boolean,
  severity: CheckDefinition["severity"],
  fsbp: string[],
  /** The rule to revoke, in the CLI's --ip-permissions JSON (without the sources). */
  rule: string,
): CheckDefinition {
  return {
    id,
    title: `Security group does not allow ingress from the internet to ${what}`,
    service: "ec2",
    severity,
    resourceType: "AwsEc2SecurityGroup",
    categories: ["internet-exposed"],
    risk: `Anything attached to the group accepts connections to ${what} from any address, inviting brute force and exploitation of exposed services.`,
    remediation: {
      cli: `aws ec2 revoke-security-group-ingress --group-id <sg> --ip-permissions '[{${rule},"IpRanges":[{"CidrIp":"0.0.0.0/0"}],"Ipv6Ranges":[{"CidrIpv6":"::/0"}]}]'`,
      console: `EC2 > Security Groups > the group > Inbound rules > Edit: remove the 0.0.0.0/0 and ::/0 rules for ${what}; allow known ranges, or use Session Manager instead of open admin ports.`,
      url: SG_URL,
    },
    frameworks: { ...SG_FRAMEWORKS, "aws-fsbp": fsbp },
    evaluate: (inv) =>
      inv.ec2.SecurityGroups.map((sg): Result => {
        const open = [...new Set(sg.IpPermissions.filter(matches).flatMap(internetSources))];
        return {
          status: open.length > 0 ? "FAIL" : "PASS",
          resourceId: sg.GroupId,
          resourceArn: ec2Arn(inv, sg.region, "security-group", sg.GroupId),
          region: sg.region,
          details:
            open.length > 0
              ? `Group ${sg.GroupId} (${sg.GroupName}) allows ${what} from ${open.join(" and ")}.`
              : `Group ${sg.GroupId} (${sg.GroupName}) does not allow ${what} from the internet.`,
        };
      }),
  };
}

function isDefaultGroup(sg: SecurityGroup): boolean {
  return sg.GroupName === "default";
}

export const ec2Checks: CheckDefinition[] = [
  internetIngressCheck(
    "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22",
    "SSH (TCP 22)",
    (r) => reachesTcpPort(r, 22),
    "high",
    ["EC2.13"],
    '"IpProtocol":"tcp","FromPort":22,"ToPort":22',
  ),
  internetIngressCheck(
    "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_3389",
    "RDP (TCP 3389)",
    (r) => reachesTcpPort(r, 3389),
    "high",
    ["EC2.14"],
    '"IpProtocol":"tcp","FromPort":3389,"ToPort":3389',
  ),
  internetIngressCheck(
    "ec2_securitygroup_allow_ingress_from_internet_to_all_ports",
    "all ports",
    reachesEveryPort,
    "critical",
    [],
    '"IpProtocol":"-1"',
  ),
  {
    id: "ec2_securitygroup_default_restrict_traffic",
    title: "Default security group allows no traffic",
    service: "ec2",
    severity: "high",
    resourceType: "AwsEc2SecurityGroup",
    categories: ["trust-boundaries", "internet-exposed"],
    risk: "Resources launched without an explicit group land in the default one; if it allows traffic they are reachable without anyone deciding so.",
    remediation: {
      cli: "aws ec2 revoke-security-group-ingress --group-id <default-sg> --ip-permissions <rules> && aws ec2 revoke-security-group-egress --group-id <default-sg> --ip-permissions <rules>",
      console: "VPC > Security groups > the VPC's default group: delete every inbound and outbound rule.",
      url: SG_URL,
    },
    frameworks: {
      "cis-aws-foundations-v3.0": ["5.4"],
      "aws-fsbp": ["EC2.2"],
      "nist-csf-2.0": ["PR.IR-01", "RS.MI-01", "RS.MI-02"],
      "iso-27001-2022": ["A.8.20", "A.8.21", "A.8.22"],
    },
    evaluate: (inv) =>
      inv.ec2.SecurityGroups.filter(isDefaultGroup).map((sg): Result => {
        const rules = sg.IpPermissions.length + sg.IpPermissionsEgress.length;
        return {
          status: rules > 0 ? "FAIL" : "PASS",
          resourceId: sg.GroupId,
          resourceArn: ec2Arn(inv, sg.region, "security-group", sg.GroupId),
          region: sg.region,
          details:
            rules > 0
              ? `Default group ${sg.GroupId} of ${sg.VpcId ?? "its VPC"} has ${rules} rule(s).`
              : `Default group ${sg.GroupId} of ${sg.VpcId ?? "its VPC"} has no rules.`,
        };
      }),
  },
  {
    id: "ec2_ebs_default_encryption",
    title: "EBS encryption by default is on in every region",
    service: "ec2",
    severity: "high",
    resourceType: "AwsAccount",
    categories: ["encryption"],
    risk: "Without the regional default, every new volume and snapshot copy is unencrypted unless its creator remembers to ask.",
    remediation: {
      cli: "aws ec2 enable-ebs-encryption-by-default --region <region>",
      console: "EC2 (in each region) > Settings > Data protection and security > EBS encryption > Manage: Enable.",
      url: "https://docs.aws.amazon.com/ebs/latest/userguide/encryption-by-default.html",
    },
    frameworks: {
      "cis-aws-foundations-v3.0": [],
      "aws-fsbp": ["EC2.7"],
      "nist-csf-2.0": ["PR.DS-01"],
      "iso-27001-2022": ["A.8.11", "A.8.24"],
    },
    evaluate: (inv) =>
      inv.regions.map((region): Result => {
        const setting = inv.ec2.EbsEncryptionByDefault.find((e) => e.region === region);
        const base = { resourceId: accountRegionId(inv, region), region };
        if (!setting)
          return { ...base, status: "MANUAL", details: `EBS default encryption was not collected for ${region}.` };
        return setting.EbsEncryptionByDefault
          ? { ...base, status: "PASS", details: `EBS encryption by default is on in ${region}.` }
          : { ...base, status: "FAIL", details: `EBS encryption by default is off in ${region}.` };
      }),
  },
  {
    id: "ec2_ebs_volume_encryption",
    title: "EBS volume is encrypted",
    service: "ec2",
    severity: "high",
    resourceType: "AwsEc2Volume",
    categories: ["encryption"],
    risk: "An unencrypted volume's data, and every snapshot taken from it, is readable by whoever gets a copy.",
    remediation: {
      cli: "aws ec2 create-snapshot --volume-id <vol> && aws ec2 copy-snapshot --source-snapshot-id <snap> --source-region <region> --encrypted --kms-key-id <key>   # then create a volume from the copy and swap it in",
      console:
        "EC2 > Volumes: snapshot the volume, copy the snapshot with encryption, create a volume from the copy, and replace the original.",
      url: "https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption.html",
    },
    frameworks: {
      "cis-aws-foundations-v3.0": ["2.2.1"],
      "aws-fsbp": ["EC2.3"],
      "nist-csf-2.0": ["PR.DS-01"],
      "iso-27001-2022": ["A.8.11", "A.8.24"],
    },
    evaluate: (inv) =>
      inv.ec2.Volumes.map(
        (v): Result => ({
          status: v.Encrypted ? "PASS" : "FAIL",
          resourceId: v.VolumeId,
          resourceArn: ec2Arn(inv, v.region, "volume", v.VolumeId),
          region: v.region,
          details: `Volume ${v.VolumeId} is ${v.Encrypted ? "encrypted" : "not encrypted"}.`,
        }),
      ),
  },
  {
    id: "ec2_ebs_snapshots_encrypted",
    title: "EBS snapshot is encrypted",
    service: "ec2",
    severity: "high",
    resourceType: "AwsEc2Volume",
    categories: ["encryption"],
    risk: "An unencrypted snapshot is a full copy of a disk that can be shared or restored without any key.",
    remediation: {
      cli: "aws ec2 copy-snapshot --source-snapshot-id <snap> --source-region <region> --encrypted --kms-key-id <key> && aws ec2 delete-snapshot --snapshot-id <snap>",
      console:
        "EC2 > Snapshots > the snapshot > Actions > Copy snapshot: tick Encrypt; then delete the unencrypted original.",
      url: "https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption.html",
    },
    frameworks: {
      "cis-aws-foundations-v3.0": [],
      "aws-fsbp": [],
      "nist-csf-2.0": ["PR.DS-01"],
      "iso-27001-2022": ["A.8.24"],
    },
    evaluate: (inv) =>
      inv.ec2.Snapshots.map(
        (s): Result => ({
          status: s.Encrypted ? "PASS" : "FAIL",
          resourceId: s.SnapshotId,
          resourceArn: ec2Arn(inv, s.region, "snapshot", s.SnapshotId, false),
          region: s.region,
          details: `Snapshot ${s.SnapshotId} is ${s.Encrypted ? "encrypted" : "not encrypted"}.`,
        }),
      ),
  },
  {
    id: "ec2_ebs_public_snapshot",
    title: "EBS snapshot is not public",
    service: "ec2",
    severity: "critical",
    resourceType: "AwsEc2Volume",
    categories: ["internet-exposed"],
    risk: "Any AWS account can create a volume from a public snapshot and read the whole disk, secrets included.",
    remediation: {
      cli: "aws ec2 modify-snapshot-attribute --snapshot-id <snap> --attribute createVolumePermission --operation-type remove --group-names all",
      console: "EC2 > Snapshots > the snapshot > Actions > Snapshot settings > Modify permissions: Private.",
      url: "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ebs-modifying-snapshot-permissions.html",
    },
    frameworks: {
      "cis-aws-foundations-v3.0": [],
      "aws-fsbp": ["EC2.1"],
      "nist-csf-2.0": [],
      "iso-27001-2022": ["A.8.1"],
    },
    evaluate: (inv) =>
      inv.ec2.Snapshots.map((s): Result => {
        if (!s.CreateVolumePermissions) {
          return {
            status: "MANUAL",
            resourceId: s.SnapshotId,
            resourceArn: ec2Arn(inv, s.region, "snapshot", s.SnapshotId, false),
            region: s.region,
            details: `Snapshot ${s.SnapshotId}'s permissions were not read (a deep scan reads each snapshot's).`,
          };
        }
        const isPublic = s.CreateVolumePermissions.some((p) => p.Group === "all");
        return {
          status: isPublic ? "FAIL" : "PASS",
          resourceId: s.SnapshotId,
          resourceArn: ec2Arn(inv, s.region, "snapshot", s.SnapshotId, false),
          region: s.region,
          details: `Snapshot ${s.SnapshotId} is ${isPublic ? "restorable by any AWS account" : "not public"}.`,
        };
      }),
  },
  {
    id: "ec2_ami_public",
    title: "AMI is not public",
    service: "ec2",
    severity: "critical",
    resourceType: "Other",
    categories: ["internet-exposed"],
    risk: "Anyone can launch a public image and read its disks, including credentials and code baked into it.",
    remediation: {
      cli: 'aws ec2 modify-image-attribute --image-id <ami> --launch-permission \'{"Remove":[{"Group":"all"}]}\'',
      console: "EC2 > AMIs > the image > Actions > Edit AMI permissions: Private.",
      url: "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/sharingamis-intro.html",
    },
    frameworks: {
      "cis-aws-foundations-v3.0": [],
      "aws-fsbp": [],
      "nist-csf-2.0": [],
      "iso-27001-2022": ["A.8.1"],
    },
    evaluate: (inv) =>
      inv.ec2.Images.map(
        (img): Result => ({
          status: img.Public ? "FAIL" : "PASS",
          resourceId: img.ImageId,
          resourceArn: ec2Arn(inv, img.region, "image", img.ImageId, false),
          region: img.region,
          details: `Image ${img.ImageId}${img.Name ? ` (${img.Name})` : ""} is ${img.Public ? "public" : "private"}.`,
        }),
      ),
  },
  {
    id: "ec2_instance_imdsv2_enabled",
    title: "EC2 instance requires IMDSv2",
    service: "ec2",
    severity: "high",
    resourceType: "AwsEc2Instance",
    categories: ["identity-access", "secrets"],
    risk: "With IMDSv1 allowed, a server-side request forgery in any app on the instance can read the instance role's credentials.",
    remediation: {
      cli: "aws ec2 modify-instance-metadata-options --instance-id <id> --http-tokens required --http-endpoint enabled",
      console:
        "EC2 > Instances > the instance > Actions > Instance settings > Modify instance metadata options: IMDSv2 Required.",
      url: "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-service.html",
    },
    frameworks: {
      "cis-aws-foundations-v3.0": ["5.6"],
      "aws-fsbp": ["EC2.8"],
      "nist-csf-2.0": [],
      "iso-27001-2022": ["A.8.20", "A.8.21", "A.8.22"],
    },
    evaluate: (inv) =>
      inv.ec2.Instances.filter((i) => i.State.Name !== "terminated").map((i): Result => {
        const base = {
          resourceId: i.InstanceId,
          resourceArn: ec2Arn(inv, i.region, "instance", i.InstanceId),
          region: i.region,
        };
        const opts = i.MetadataOptions;
        if (!opts)
          return { ...base, status: "MANUAL", details: `Metadata options of ${i.InstanceId} were not collected.` };
        if (opts.HttpEndpoint === "disabled")
          return { ...base, status: "PASS", details: `${i.InstanceId} has the metadata service off.` };
        return opts.HttpTokens === "required"
          ? { ...base, status: "PASS", details: `${i.InstanceId} requires IMDSv2.` }
          : { ...base, status: "FAIL", details: `${i.InstanceId} still answers IMDSv1 requests.` };
      }),
  },
  {
    id: "ec2_instance_public_ip",
    title: "EC2 instance has no public IPv4 address",
    service: "ec2",
    severity: "medium",
    resourceType: "AwsEc2Instance",
    categories: ["internet-exposed"],
    risk: "A public address puts the instance one security group rule away from the internet.",
    remediation: {
      cli: "aws ec2 modify-subnet-attribute --subnet-id <subnet> --no-map-public-ip-on-launch   # and relaunch the instance without a public address, behind a load balancer or NAT",
      console:
        "Relaunch the instance in a private subnet (or without Auto-assign public IP) and reach it through a load balancer, NAT or Session Manager.",
      url: "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/using-instance-addressing.html",
    },
    frameworks: {
      "cis-aws-foundations-v3.0": [],
      "aws-fsbp": ["EC2.9"],
      "nist-csf-2.0": [],
      "iso-27001-2022": ["A.8.1", "A.8.20", "A.8.21", "A.8.22"],
    },
    evaluate: (inv) =>
      inv.ec2.Instances.filter((i) => i.State.Name !== "terminated").map(
        (i): Result => ({
          status: i.PublicIpAddress ? "FAIL" : "PASS",
          resourceId: i.InstanceId,
          resourceArn: ec2Arn(inv, i.region, "instance", i.InstanceId),
          region: i.region,
          details: i.PublicIpAddress
            ? `${i.InstanceId} has public address ${i.PublicIpAddress}.`
            : `${i.InstanceId} has no public address.`,
        }),
      ),
  },
];
