/**
 * Canned AWS answers for tests that drive scans through aws-sdk-client-mock (a mock: the AWS
 * control planes cannot run here). Each names the account it describes.
 */
import {
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  type EC2Client,
  GetEbsEncryptionByDefaultCommand,
} from "@aws-sdk/client-ec2";
import type { AwsClientStub } from "aws-sdk-client-mock";

/**
 * EC2 of an account whose one finding is a security group open to the world on a TCP port: no
 * instances, volumes, snapshots or images, and EBS encryption on by default.
 */
export function ec2WithOneOpenPort(ec2: AwsClientStub<EC2Client>, group: { id: string; name: string; port: number }) {
  ec2.on(DescribeSecurityGroupsCommand).resolves({
    SecurityGroups: [
      {
        GroupId: group.id,
        GroupName: group.name,
        IpPermissions: [
          { IpProtocol: "tcp", FromPort: group.port, ToPort: group.port, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
        ],
      },
    ],
  });
  ec2.on(DescribeInstancesCommand).resolves({ Reservations: [] });
  ec2.on(DescribeVolumesCommand).resolves({ Volumes: [] });
  ec2.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
  ec2.on(DescribeImagesCommand).resolves({ Images: [] });
  ec2.on(GetEbsEncryptionByDefaultCommand).resolves({ EbsEncryptionByDefault: true });
}
