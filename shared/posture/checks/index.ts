/**
 * The check registry: every check, and lookups by id and by service. Adding a check means adding it
 * to its service's module; the registry test holds every entry to complete metadata and unique ids.
 */
import { accountChecks } from "./account.ts";
import { cloudtrailChecks } from "./cloudtrail.ts";
import { configChecks } from "./config.ts";
import { ec2Checks } from "./ec2.ts";
import { guarddutyChecks } from "./guardduty.ts";
import { iamChecks } from "./iam.ts";
import { kmsChecks } from "./kms.ts";
import { lambdaChecks } from "./lambda.ts";
import { rdsChecks } from "./rds.ts";
import { s3Checks } from "./s3.ts";
import type { CheckDefinition, Service } from "./types.ts";
import { vpcChecks } from "./vpc.ts";

export const ALL_CHECKS: readonly CheckDefinition[] = [
  ...accountChecks,
  ...iamChecks,
  ...s3Checks,
  ...cloudtrailChecks,
  ...configChecks,
  ...guarddutyChecks,
  ...ec2Checks,
  ...vpcChecks,
  ...rdsChecks,
  ...kmsChecks,
  ...lambdaChecks,
];

export const CHECKS_BY_ID: ReadonlyMap<string, CheckDefinition> = new Map(ALL_CHECKS.map((c) => [c.id, c]));

export function checksForService(service: Service): CheckDefinition[] {
  return ALL_CHECKS.filter((c) => c.service === service);
}
