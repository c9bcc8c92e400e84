/** GuardDuty: is threat detection on in every region. */

import { controls } from "./frameworks.ts";
import { accountRegionId } from "./resource-ids.ts";
import type { CheckDefinition, Result } from "./types.ts";

export const guarddutyChecks: CheckDefinition[] = [
  {
    id: "guardduty_is_enabled",
    title: "GuardDuty is enabled in every region",
    service: "guardduty",
    severity: "high",
    resourceType: "AwsGuardDutyDetector",
    categories: ["forensics-ready"],
    risk: "Without a detector, compromised credentials, crypto-mining and data exfiltration in the region raise no alert.",
    remediation: {
      cli: "aws guardduty create-detector --enable --region <region>",
      console:
        "GuardDuty (in each region) > Get started > Enable GuardDuty; or enable it for the organisation from the delegated administrator.",
      url: "https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_settingup.html",
    },
    frameworks: {
      "cis-aws-foundations-v3.0": [],
      "aws-fsbp": ["GuardDuty.1"],
      "nist-csf-2.0": controls(
        "DE.AE-02 DE.AE-03 DE.AE-04 DE.AE-06 DE.AE-07 DE.AE-08 ID.RA-03 ID.RA-04 ID.RA-05 RC.RP-04 RC.RP-05 RS.AN-03 RS.AN-06 RS.AN-07 RS.AN-08 RS.CO-02 RS.CO-03 RS.MA-01 RS.MA-03 RS.MA-04 RS.MA-05 RS.MI-01 RS.MI-02",
      ),
      "iso-27001-2022": ["A.5.19", "A.5.21", "A.5.25", "A.5.28", "A.5.29", "A.8.7", "A.8.9"],
    },
    evaluate: (inv) =>
      inv.regions.map((region): Result => {
        const detectors = inv.guardduty.Detectors.filter((d) => d.region === region);
        const enabled = detectors.find((d) => d.Status === "ENABLED");
        const base = { resourceId: accountRegionId(inv, region), region };
        if (enabled)
          return { ...base, status: "PASS", details: `Detector ${enabled.DetectorId} is enabled in ${region}.` };
        return {
          ...base,
          status: "FAIL",
          details:
            detectors.length > 0
              ? `The GuardDuty detector in ${region} is suspended.`
              : `GuardDuty is not enabled in ${region}.`,
        };
      }),
  },
];
