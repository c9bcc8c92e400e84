/** Request schemas of the Cloudsentinel scan, alert and report routes (strict objects; free text via `freeText`). */
import * as z from "zod/mini";
import { freeText } from "#shared/kit/text.ts";
import { SEVERITIES } from "./checks/types.ts";
import { AWS_REGIONS, CLOUD_PROVIDERS, SCAN_SERVICES } from "./providers.ts";

const skip = z._default(z.coerce.number().check(z.int(), z.gte(0), z.lte(1_000_000)), 0);
const limit = (max: number, dflt: number) => z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(max)), dflt);

/** The spec's framework names, plus `fsbp` (AWS Foundational Security Best Practices). */
export const FRAMEWORK_NAMES = ["cis", "nist", "iso27001", "fsbp", "soc2"] as const;
export type FrameworkName = (typeof FRAMEWORK_NAMES)[number];

const AwsRegion = z.enum(AWS_REGIONS);
const AccessKeyId = z.string().check(z.regex(/^(AKIA|ASIA)[A-Z0-9]{12,124}$/, "an AWS access key id (AKIA…/ASIA…)"));
const RoleArn = z
  .string()
  .check(z.regex(/^arn:aws(-cn|-us-gov)?:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, "an IAM role ARN"));

/**
 * The spec's access keys, or (beyond spec) `role_arn` + `external_id` to assume a read-only role in
 * the customer's account, `platform: true` for the platform's own account with the scanner's own
 * role (only tenants the deployment names: platform.ts), or `demo: true` for the recorded demo
 * account. Exactly one of them.
 */
export const ScanCredentials = z.strictObject({
  access_key_id: z.optional(AccessKeyId),
  secret_access_key: z.optional(z.string().check(z.minLength(16), z.maxLength(256))),
  session_token: z.optional(z.string().check(z.minLength(16), z.maxLength(4096))),
  region: z.optional(AwsRegion),
  role_arn: z.optional(RoleArn),
  external_id: z.optional(z.string().check(z.regex(/^[\w+=,.@:/-]{2,1224}$/, "an STS external id"))),
  /** The platform's own account, read with the scanner's own credentials (no keys, no role). */
  platform: z.optional(
    z
      .literal(true)
      .check(
        z.describe(
          "Beyond spec: scan the platform's own AWS account with the scanner's own role (no keys, no AssumeRole). " +
            "Only for the tenants the deployment names (cdk -c platformScanTenants); every other tenant gets 403.",
        ),
      ),
  ),
  /** Local mode's recorded account: `true` (misconfigured) or `"fixed"` (its owner fixed the planted problems). */
  demo: z.optional(z.union([z.boolean(), z.literal("fixed")])),
});
export type ScanCredentials = z.infer<typeof ScanCredentials>;

export const StartScanBody = z.strictObject({
  cloud_provider: z.enum(CLOUD_PROVIDERS),
  credentials: ScanCredentials,
  scan_config: z._default(
    z.strictObject({
      services: z.optional(z.array(z.enum(SCAN_SERVICES)).check(z.minLength(1), z.maxLength(SCAN_SERVICES.length))),
      regions: z.optional(z.array(AwsRegion).check(z.minLength(1), z.maxLength(AWS_REGIONS.length))),
      deep_scan: z._default(z.boolean(), false),
      compliance_frameworks: z.optional(z.array(z.enum(FRAMEWORK_NAMES)).check(z.maxLength(FRAMEWORK_NAMES.length))),
    }),
    { deep_scan: false },
  ),
});
export type StartScanBody = z.infer<typeof StartScanBody>;

export const SCAN_STATUSES = ["initiated", "running", "completed", "failed"] as const;
export type ScanStatus = (typeof SCAN_STATUSES)[number];

export const ScanListQuery = z.strictObject({
  skip,
  limit: limit(500, 100),
  status: z.optional(z.enum(SCAN_STATUSES)),
  cloud_provider: z.optional(z.enum(CLOUD_PROVIDERS)),
});

const ScanId = z.string().check(z.regex(/^scan-\d{8}-[0-9A-F]{8}$/, "a scan id (scan-YYYYMMDD-XXXXXXXX)"));
export const ScanPath = z.strictObject({ scan_id: ScanId });

const Severity = z.enum(SEVERITIES);

export const ScanResultsQuery = z.strictObject({
  severity: z.optional(Severity),
  service: z.optional(z.string().check(z.regex(/^[a-z0-9-]{1,32}$/))),
  skip,
  limit: limit(500, 100),
});

export const ALERT_STATUSES = ["open", "acknowledged", "resolved", "suppressed"] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

export const AlertListQuery = z.strictObject({
  severity: z.optional(Severity),
  status: z.optional(z.enum(ALERT_STATUSES)),
  service: z.optional(z.string().check(z.regex(/^[a-z0-9-]{1,32}$/))),
  skip,
  limit: limit(500, 100),
});

export const AlertPath = z.strictObject({ alert_id: z.coerce.number().check(z.int(), z.gte(1), z.lte(2 ** 31)) });

/**
 * A status change. `suppressed` is a governed exception: it needs a `reason` and an `expires_at`
 * (at most a year ahead); when that passes, the next scan that still finds the problem reopens it.
 */
export const AlertUpdate = z.strictObject({
  status: z.enum(ALERT_STATUSES),
  notes: z.optional(freeText({ max: 2000, multiline: true })),
  reason: z.optional(freeText({ min: 3, max: 500 })),
  expires_at: z.optional(z.iso.datetime({ offset: true })),
});
export type AlertUpdate = z.infer<typeof AlertUpdate>;

export const BulkAlertBody = z.strictObject({
  alert_ids: z.array(z.int().check(z.gte(1), z.lte(2 ** 31))).check(z.minLength(1), z.maxLength(100)),
  updates: AlertUpdate,
});

export const ComplianceQuery = z.strictObject({
  framework: z._default(z.enum(FRAMEWORK_NAMES), "cis"),
  cloud_provider: z.optional(z.enum(CLOUD_PROVIDERS)),
});

export const EXPORT_FORMATS = ["json", "csv", "pdf", "xlsx", "ocsf", "sarif"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
export const REPORT_TYPES = ["vulnerabilities", "alerts", "compliance"] as const;
export type ReportType = (typeof REPORT_TYPES)[number];

/**
 * `filters` is the spec's "object": a JSON object in the query string, with the alert and finding
 * filters (`severity`, `status`, `service`, `scan_id`, `framework`).
 */
export const ExportFilters = z.strictObject({
  severity: z.optional(Severity),
  status: z.optional(z.enum(ALERT_STATUSES)),
  service: z.optional(z.string().check(z.regex(/^[a-z0-9-]{1,32}$/))),
  scan_id: z.optional(ScanId),
  framework: z.optional(z.enum(FRAMEWORK_NAMES)),
});
export type ExportFilters = z.infer<typeof ExportFilters>;

export const ExportQuery = z.strictObject({
  format: z._default(z.enum(EXPORT_FORMATS), "json"),
  report_type: z._default(z.enum(REPORT_TYPES), "vulnerabilities"),
  filters: z.optional(
    z.pipe(
      z.pipe(
        z.string().check(z.maxLength(2000)),
        z.transform((s, ctx): unknown => {
          try {
            return JSON.parse(s);
          } catch {
            ctx.issues.push({ code: "custom", message: "filters must be a JSON object", input: s });
            return z.NEVER;
          }
        }),
      ),
      ExportFilters,
    ),
  ),
});
