/**
 * What a posture check is: metadata kept as data (what it looks at, how bad a failure is, how to fix
 * it, which framework controls it evidences) and one pure `evaluate` over the inventory.
 */
import type { Inventory } from "../inventory.ts";
import type { FrameworkId } from "./frameworks.ts";

export const SEVERITIES = ["critical", "high", "medium", "low", "informational"] as const;
export type Severity = (typeof SEVERITIES)[number];

export const STATUSES = ["PASS", "FAIL", "MANUAL"] as const;
/** MANUAL: the inventory cannot settle it (data not collected, or a judgement only a person can make). */
export type Status = (typeof STATUSES)[number];

export const SERVICES = [
  "account",
  "iam",
  "s3",
  "cloudtrail",
  "config",
  "guardduty",
  "ec2",
  "vpc",
  "rds",
  "kms",
  "lambda",
] as const;
export type Service = (typeof SERVICES)[number];

/** AWS Security Finding Format resource type names; "Other" where the ASFF has none. */
export const RESOURCE_TYPES = [
  "AwsAccount",
  "AwsIamUser",
  "AwsIamAccessKey",
  "AwsIamPolicy",
  "AwsS3Bucket",
  "AwsS3AccountPublicAccessBlock",
  "AwsCloudTrailTrail",
  "AwsGuardDutyDetector",
  "AwsEc2SecurityGroup",
  "AwsEc2Instance",
  "AwsEc2Volume",
  "AwsEc2Vpc",
  "AwsRdsDbInstance",
  "AwsKmsKey",
  "AwsLambdaFunction",
  "Other",
] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

/** Groupings across services (Prowler's check categories), used to say where fixes pay off most. */
export const CATEGORIES = [
  "internet-exposed",
  "identity-access",
  "secrets",
  "encryption",
  "logging",
  "forensics-ready",
  "resilience",
  "trust-boundaries",
  "vulnerabilities",
] as const;
export type Category = (typeof CATEGORIES)[number];

/** One verdict on one resource. `resourceId` is unique among one check's results for one account. */
export interface Result {
  status: Status;
  resourceId: string;
  resourceArn?: string;
  region: string;
  details: string;
}

export interface Remediation {
  cli: string;
  console: string;
  url?: string;
}

export interface CheckDefinition {
  id: string;
  title: string;
  service: Service;
  severity: Severity;
  resourceType: ResourceType;
  categories: readonly Category[];
  risk: string;
  remediation: Remediation;
  /** Control ids per framework; every framework is listed, with no ids where none applies. */
  frameworks: Readonly<Record<FrameworkId, readonly string[]>>;
  evaluate(inventory: Inventory): Result[];
}
