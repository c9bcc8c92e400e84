/** AWS Config: is a recorder keeping the configuration history of every region. */
import { accountRegionId } from "./resource-ids.ts";
import type { CheckDefinition, Result } from "./types.ts";

export const configChecks: CheckDefinition[] = [
  {
    id: "config_recorder_all_regions_enabled",
    title: "AWS Config is recording in every region",
    service: "config",
    severity: "medium",
    resourceType: "AwsAccount",
    categories: ["logging", "forensics-ready"],
    risk: "Without a recorder, configuration changes in the region leave no history: drift and the state at the time of an incident cannot be shown.",
    remediation: {
      cli: "aws configservice put-configuration-recorder --configuration-recorder name=default,roleARN=<role-arn> --recording-group allSupported=true,includeGlobalResourceTypes=true && aws configservice put-delivery-channel --delivery-channel name=default,s3BucketName=<bucket> && aws configservice start-configuration-recorder --configuration-recorder-name default",
      console:
        "AWS Config (in each region) > Get started / Settings: record all resource types, choose a delivery bucket, and start recording.",
      url: "https://docs.aws.amazon.com/securityhub/latest/userguide/config-controls.html",
    },
    frameworks: {
      "cis-aws-foundations-v3.0": ["3.3"],
      "aws-fsbp": ["Config.1"],
      "nist-csf-2.0": ["ID.RA-05"],
      "iso-27001-2022": ["A.5.16", "A.5.22"],
    },
    evaluate: (inv) =>
      inv.regions.map((region): Result => {
        const recorders = inv.config.ConfigurationRecorders.filter((r) => r.region === region);
        const statuses = inv.config.ConfigurationRecordersStatus.filter((s) => s.region === region);
        const recording = recorders.find((r) =>
          statuses.some((s) => s.name === r.name && s.recording && s.lastStatus !== "Failure"),
        );
        const base = { resourceId: accountRegionId(inv, region), region };
        if (recording)
          return { ...base, status: "PASS", details: `Recorder ${recording.name} is recording in ${region}.` };
        if (recorders.length === 0)
          return { ...base, status: "FAIL", details: `No AWS Config recorder exists in ${region}.` };
        return { ...base, status: "FAIL", details: `The AWS Config recorder in ${region} is stopped or failing.` };
      }),
  },
];
