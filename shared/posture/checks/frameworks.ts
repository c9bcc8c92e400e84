/**
 * The compliance frameworks a check's results evidence, and where each mapping comes from.
 *
 * The control ids on every check were taken from published mappings, not written from memory:
 * - CIS AWS Foundations v3.0.0, AWS FSBP and ISO/IEC 27001:2022: Prowler's compliance files
 *   (github.com/prowler-cloud/prowler, prowler/compliance/aws/cis_3.0_aws.json,
 *   aws_foundational_security_best_practices_aws.json, iso27001_2022_aws.json; Apache-2.0, © Prowler),
 *   inverted from requirement → checks to check → requirements, for the Prowler check of the same id.
 *   Where Prowler's FSBP file lists a control with no check (IAM.9, S3.2, CloudTrail.3), the check
 *   that tests exactly that control's title was added to it; those three are marked on their checks.
 * - NIST CSF 2.0: Turbot's steampipe-mod-aws-compliance (github.com/turbot/steampipe-mod-aws-compliance,
 *   nist_csf_v2/*.pp; Apache-2.0), through the Steampipe control that tests the same setting.
 *   Prowler's nist_csf_2.0_aws.json was not used: outside the Govern function its ids are CSF 1.1
 *   ones (PR.AC-3, PR.IP-1, DE.DP-4…) that CSF 2.0 no longer has. Checks with no such control map to none.
 */
export const FRAMEWORKS = {
  "cis-aws-foundations-v3.0": {
    name: "CIS Amazon Web Services Foundations Benchmark v3.0.0",
    idPattern: /^[1-5](\.\d{1,2}){1,2}$/,
  },
  "aws-fsbp": {
    name: "AWS Foundational Security Best Practices",
    idPattern: /^[A-Z][A-Za-z0-9]*\.\d{1,3}$/,
  },
  "nist-csf-2.0": {
    name: "NIST Cybersecurity Framework 2.0",
    // The 22 categories of CSF 2.0, with its two-digit subcategory numbers.
    idPattern:
      /^(GV\.(OC|RM|RR|PO|OV|SC)|ID\.(AM|RA|IM)|PR\.(AA|AT|DS|PS|IR)|DE\.(CM|AE)|RS\.(MA|AN|CO|MI)|RC\.(RP|CO))-\d{2}$/,
  },
  "iso-27001-2022": {
    name: "ISO/IEC 27001:2022 Annex A",
    // Annex A: 37 organisational, 8 people, 14 physical and 34 technological controls.
    idPattern: /^A\.(5\.([1-9]|[12]\d|3[0-7])|6\.[1-8]|7\.([1-9]|1[0-4])|8\.([1-9]|[12]\d|3[0-4]))$/,
  },
} as const;

export type FrameworkId = keyof typeof FRAMEWORKS;
export const FRAMEWORK_IDS: readonly FrameworkId[] = [
  "cis-aws-foundations-v3.0",
  "aws-fsbp",
  "nist-csf-2.0",
  "iso-27001-2022",
];

/** Whether a control id has the shape its framework gives its controls. */
export function isControlId(framework: FrameworkId, id: string): boolean {
  return FRAMEWORKS[framework].idPattern.test(id);
}

/** A long list of control ids written as one space-separated line, to keep mapping tables readable. */
export function controls(spaceSeparated: string): string[] {
  return spaceSeparated.split(" ");
}
