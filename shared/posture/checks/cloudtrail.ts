/** CloudTrail: is every region's API activity recorded, tamper-evident, encrypted and kept private. */
import { GLOBAL_REGION, type Inventory, type S3Bucket, type Trail } from "../inventory.ts";
import { daysSince } from "./dates.ts";
import { controls } from "./frameworks.ts";
import { accountRegionId } from "./resource-ids.ts";
import { publicExposure } from "./s3.ts";
import type { CheckDefinition, Result } from "./types.ts";

/** Prowler's rule: a trail whose last delivery to CloudWatch Logs is older than a day is not delivering. */
const CLOUDWATCH_DELIVERY_MAX_AGE_DAYS = 1;

function perTrail(inv: Inventory, judge: (trail: Trail) => Pick<Result, "status" | "details">): Result[] {
  return inv.cloudtrail.Trails.map((trail) => ({
    ...judge(trail),
    resourceId: trail.TrailARN,
    resourceArn: trail.TrailARN,
    region: trail.HomeRegion,
  }));
}

/** Whether a trail records every management event, read and write; undefined when its selectors were not collected. */
function logsAllManagementEvents(trail: Trail): boolean | undefined {
  if (trail.AdvancedEventSelectors) {
    return trail.AdvancedEventSelectors.some((s) => {
      const management = s.FieldSelectors.some((f) => f.Field === "eventCategory" && f.Equals?.includes("Management"));
      const narrowed = s.FieldSelectors.some((f) => f.Field === "readOnly");
      return management && !narrowed;
    });
  }
  if (trail.EventSelectors) {
    return trail.EventSelectors.some((s) => s.IncludeManagementEvents && s.ReadWriteType === "All");
  }
  return undefined;
}

/** Judges the bucket each trail logs to; MANUAL for a trail whose bucket is not in this account's inventory. */
function perTrailBucket(
  inv: Inventory,
  judge: (trail: Trail, bucket: S3Bucket) => Pick<Result, "status" | "details">,
): Result[] {
  return perTrail(inv, (trail) => {
    const bucket = inv.s3.Buckets.find((b) => b.Name === trail.S3BucketName);
    if (bucket) return judge(trail, bucket);
    return {
      status: "MANUAL",
      details: `Trail ${trail.Name} logs to ${trail.S3BucketName ?? "no bucket"}, which is not in this account's inventory.`,
    };
  });
}

const CREATE_TRAIL_CLI =
  "aws cloudtrail create-trail --name <trail> --s3-bucket-name <bucket> --is-multi-region-trail --enable-log-file-validation --kms-key-id <key> && aws cloudtrail start-logging --name <trail>";

export const cloudtrailChecks: CheckDefinition[] = [
  {
    id: "cloudtrail_multi_region_enabled",
    title: "A logging CloudTrail trail covers every region",
    service: "cloudtrail",
    severity: "high",
    resourceType: "AwsCloudTrailTrail",
    categories: ["logging", "forensics-ready"],
    risk: "API calls in a region no trail covers leave no record: an intruder working there is invisible and an incident cannot be reconstructed.",
    remediation: {
      cli: CREATE_TRAIL_CLI,
      console:
        "CloudTrail > Trails > Create trail: apply to all regions, choose an S3 bucket, and make sure logging is on.",
      url: "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/receive-cloudtrail-log-files-from-multiple-regions.html",
    },
    frameworks: {
      "cis-aws-foundations-v3.0": ["3.1"],
      // CloudTrail.3 ("at least one trail should be enabled") has no check in Prowler's FSBP file; this check tests it.
      "aws-fsbp": ["CloudTrail.1", "CloudTrail.3"],
      "nist-csf-2.0": controls("DE.AE-02 DE.AE-03 DE.AE-04 DE.AE-06 DE.AE-07 DE.AE-08 DE.CM-01 DE.CM-03 ID.AM-03"),
      "iso-27001-2022": [],
    },
    evaluate: (inv) =>
      inv.regions.map((region): Result => {
        const covering = inv.cloudtrail.Trails.find(
          (t) => t.Status.IsLogging && (t.IsMultiRegionTrail || t.HomeRegion === region),
        );
        // The id is the region's, not the trail's, so creating a trail later resolves this same finding.
        return {
          status: covering ? "PASS" : "FAIL",
          resourceId: accountRegionId(inv, region),
          region,
          ...(covering ? { resourceArn: covering.TrailARN } : {}),
          details: covering
            ? `Trail ${covering.Name} is logging ${region}.`
            : `No logging CloudTrail trail covers ${region}.`,
        };
      }),
  },
  {
    id: "cloudtrail_multi_region_enabled_logging_management_events",
    title: "A multi-region trail records all management events",
    service: "cloudtrail",
    severity: "low",
    resourceType: "AwsCloudTrailTrail",
    categories: ["logging", "forensics-ready"],
    risk: "A trail that skips read or write management events misses configuration changes or reconnaissance calls.",
    remediation: {
      cli: `aws cloudtrail put-event-selectors --trail-name <trail> --event-selectors '[{"ReadWriteType":"All","IncludeManagementEvents":true}]'`,
      console: "CloudTrail > Trails > the multi-region trail > Management events > Edit: API activity Read and Write.",
      url: "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-concepts.html#cloudtrail-concepts-management-events",
    },
    frameworks: {
      "cis-aws-foundations-v3.0": [],
      "aws-fsbp": [],
      "nist-csf-2.0": ["ID.RA-05"],
      "iso-27001-2022": ["A.8.15", "A.8.16"],
    },
    evaluate: (inv) => {
      const candidates = inv.cloudtrail.Trails.filter((t) => t.IsMultiRegionTrail && t.Status.IsLogging);
      const verdicts = candidates.map((t) => ({ trail: t, all: logsAllManagementEvents(t) }));
      const good = verdicts.find((v) => v.all === true);
      const base = { resourceId: inv.account.AccountId, region: GLOBAL_REGION };
      if (good)
        return [
          {
            ...base,
            status: "PASS",
            resourceArn: good.trail.TrailARN,
            details: `Trail ${good.trail.Name} records all management events in every region.`,
          },
        ];
      if (verdicts.some((v) => v.all === undefined)) {
        return [
          {
            ...base,
            status: "MANUAL",
            details: "A multi-region trail is logging but its event selectors were not collected.",
          },
        ];
      }
      return [
        {
          ...base,
          status: "FAIL",
          details: "No logging multi-region trail records all read and write management events.",
        },
      ];
    },
  },
  {
    id: "cloudtrail_log_file_validation_enabled",
    title: "CloudTrail trail validates its log files",
    service: "cloudtrail",
    severity: "medium",
    resourceType: "AwsCloudTrailTrail",
    categories: ["logging", "forensics-ready"],
    risk: "Without digest files, altered or deleted log files cannot be detected, and the logs lose their value as evidence.",
    remediation: {
      cli: "aws cloudtrail update-trail --name <trail> --enable-log-file-validation",
      console: "CloudTrail > Trails > the trail > General details > Edit: tick Log file validation.",
      url: "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-enabling.html",
    },
    frameworks: {
      "cis-aws-foundations-v3.0": ["3.2"],
      "aws-fsbp": ["CloudTrail.4"],
      "nist-csf-2.0": controls(
        "DE.AE-02 DE.AE-03 DE.AE-04 DE.AE-06 DE.AE-07 DE.AE-08 DE.CM-01 DE.CM-03 ID.RA-05 ID.RA-09 PR.AA-04 PR.PS-01 PR.PS-04 RC.RP-03 RC.RP-05 RS.AN-03 RS.AN-06 RS.AN-07 RS.AN-08 RS.CO-02 RS.CO-03 RS.MI-01 RS.MI-02",
      ),
      "iso-27001-2022": ["A.8.15", "A.8.16"],
    },
    evaluate: (inv) =>
      perTrail(inv, (trail) =>
        trail.LogFileValidationEnabled
          ? { status: "PASS", details: `Trail ${trail.Name} validates its log files.` }
          : { status: "FAIL", details: `Trail ${trail.Name} does not validate its log files.` },
      ),
  },
  {
    id: "cloudtrail_kms_encryption_enabled",
    title: "CloudTrail trail encrypts its logs with a KMS key",
    service: "cloudtrail",
    severity: "medium",
    resourceType: "AwsCloudTrailTrail",
    categories: ["encryption"],
    risk: "Logs encrypted only with S3-managed keys can be read by anyone with read access to the bucket; a KMS key adds a second, audited gate.",
    remediation: {
      cli: "aws cloudtrail update-trail --name <trail> --kms-key-id <key-arn>",
      console:
        "CloudTrail > Trails > the trail > General details > Edit: Log file SSE-KMS encryption, and choose a key.",
      url: "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/encrypting-cloudtrail-log-files-with-aws-kms.html",
    },
    frameworks: {
      "cis-aws-foundations-v3.0": ["3.5"],
      "aws-fsbp": ["CloudTrail.2"],
      "nist-csf-2.0": controls(
        "DE.AE-02 DE.AE-03 DE.AE-04 DE.AE-06 DE.AE-07 DE.AE-08 DE.CM-01 DE.CM-03 ID.RA-05 PR.AA-04 PR.DS-01 PR.PS-01 PR.PS-04 RC.RP-06 RS.AN-03 RS.AN-06 RS.AN-07 RS.AN-08 RS.CO-02 RS.CO-03 RS.MI-01 RS.MI-02",
      ),
      "iso-27001-2022": ["A.8.11", "A.8.15", "A.8.16", "A.8.24"],
    },
    evaluate: (inv) =>
      perTrail(inv, (trail) =>
        trail.KmsKeyId
          ? { status: "PASS", details: `Trail ${trail.Name} encrypts with ${trail.KmsKeyId}.` }
          : { status: "FAIL", details: `Trail ${trail.Name} does not encrypt with a KMS key.` },
      ),
  },
  {
    id: "cloudtrail_cloudwatch_logging_enabled",
    title: "CloudTrail trail delivers to CloudWatch Logs",
    service: "cloudtrail",
    severity: "low",
    resourceType: "AwsCloudTrailTrail",
    categories: ["logging", "forensics-ready"],
    risk: "Events that only land in S3 cannot drive metric filters and alarms, so suspicious activity is found late or never.",
    remediation: {
      cli: "aws cloudtrail update-trail --name <trail> --cloud-watch-logs-log-group-arn <log-group-arn> --cloud-watch-logs-role-arn <role-arn>",
      console: "CloudTrail > Trails > the trail > CloudWatch Logs > Edit: Enabled, with a log group and role.",
      url: "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/send-cloudtrail-events-to-cloudwatch-logs.html",
    },
    frameworks: {
      "cis-aws-foundations-v3.0": [],
      "aws-fsbp": ["CloudTrail.5"],
      "nist-csf-2.0": controls(
        "DE.AE-02 DE.AE-03 DE.AE-04 DE.AE-06 DE.AE-07 DE.AE-08 DE.CM-01 DE.CM-03 ID.RA-05 RC.CO-03 RC.RP-06 RS.AN-03 RS.AN-06 RS.AN-07 RS.AN-08 RS.CO-02 RS.CO-03 RS.MI-01 RS.MI-02",
      ),
      "iso-27001-2022": ["A.8.15", "A.8.16"],
    },
    evaluate: (inv) => {
      const now = Date.parse(inv.collectedAt);
      return perTrail(inv, (trail) => {
        if (!trail.CloudWatchLogsLogGroupArn) {
          return { status: "FAIL", details: `Trail ${trail.Name} is not sent to CloudWatch Logs.` };
        }
        const age = daysSince(trail.Status.LatestCloudWatchLogsDeliveryTime, now);
        return age !== undefined && age <= CLOUDWATCH_DELIVERY_MAX_AGE_DAYS
          ? { status: "PASS", details: `Trail ${trail.Name} delivers to CloudWatch Logs.` }
          : { status: "FAIL", details: `Trail ${trail.Name} has a log group but delivered nothing in the last day.` };
      });
    },
  },
  {
    id: "cloudtrail_logs_s3_bucket_is_not_publicly_accessible",
    title: "The bucket holding CloudTrail logs is not public",
    service: "cloudtrail",
    severity: "critical",
    resourceType: "AwsCloudTrailTrail",
    categories: ["internet-exposed"],
    risk: "Public trail logs hand an attacker a map of the account's users, roles and resources, and a record of what defenders can see.",
    remediation: {
      cli: "aws s3api put-public-access-block --bucket <trail-bucket> --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true",
      console:
        "S3 > the trail's bucket > Permissions: turn on Block all public access and remove public grants and statements.",
      url: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html",
    },
    frameworks: {
      "cis-aws-foundations-v3.0": [],
      "aws-fsbp": ["CloudTrail.6"],
      "nist-csf-2.0": ["ID.RA-05"],
      "iso-27001-2022": ["A.8.1", "A.8.15", "A.8.16"],
    },
    evaluate: (inv) =>
      perTrailBucket(inv, (trail, bucket) => {
        const reasons = publicExposure(inv, bucket);
        return reasons.length > 0
          ? {
              status: "FAIL",
              details: `Trail ${trail.Name} logs to public bucket ${bucket.Name}: ${reasons.join(" and ")}.`,
            }
          : { status: "PASS", details: `Trail ${trail.Name} logs to private bucket ${bucket.Name}.` };
      }),
  },
  {
    id: "cloudtrail_logs_s3_bucket_access_logging_enabled",
    title: "The bucket holding CloudTrail logs logs its own access",
    service: "cloudtrail",
    severity: "medium",
    resourceType: "AwsCloudTrailTrail",
    categories: ["logging", "forensics-ready"],
    risk: "Without access logs on the trail bucket, nobody can tell who read or deleted the audit trail itself.",
    remediation: {
      cli: `aws s3api put-bucket-logging --bucket <trail-bucket> --bucket-logging-status '{"LoggingEnabled":{"TargetBucket":"<log-bucket>","TargetPrefix":"<trail-bucket>/"}}'`,
      console: "S3 > the trail's bucket > Properties > Server access logging > Edit: Enable.",
      url: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerLogs.html",
    },
    frameworks: {
      "cis-aws-foundations-v3.0": ["3.4"],
      "aws-fsbp": ["CloudTrail.7"],
      "nist-csf-2.0": ["ID.RA-05"],
      "iso-27001-2022": ["A.8.15", "A.8.16"],
    },
    evaluate: (inv) =>
      perTrailBucket(inv, (_trail, bucket) =>
        bucket.Logging.LoggingEnabled
          ? { status: "PASS", details: `Trail bucket ${bucket.Name} has access logging on.` }
          : { status: "FAIL", details: `Trail bucket ${bucket.Name} has access logging off.` },
      ),
  },
];
