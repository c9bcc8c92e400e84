/**
 * Scans of the platform's own AWS account with the scanner's own role (`credentials: {"platform": true}`,
 * beyond spec). The platform's account holds every tenant's data, so this is never a tenant's right:
 * a platform engineer names the tenant(s) that may do it at deploy time (`cdk deploy -c
 * platformScanTenants=<id,…>`), which reaches the scan functions as `WARDEN_PLATFORM_SCAN_TENANTS`
 * (comma-separated tenant ids). Unset — the default, deployed and locally — nobody may. The scan
 * then runs on the function's own credentials (the SDK's default provider chain: the Lambda role,
 * which the CDK app gives exactly the collectors' read-only calls only with that option; locally,
 * whatever AWS credentials the process has). No AssumeRole, nothing sealed, nothing stored.
 *
 * The listed ids are also reserved: sign-up never creates a tenant with one of them
 * (shared/identity/sign-up.ts), so an id the operators name before its tenant exists — a typo, a
 * tenant to be created later — cannot be claimed by whoever first signs up with a matching
 * organization name. Tenants are never deleted, so a listed tenant's id never becomes free again.
 *
 * Read on every use (a few string operations), so a test can name the tenant it just created.
 */
import { Forbidden } from "#shared/kit/errors.ts";

export const PLATFORM_SCAN_ENV = "WARDEN_PLATFORM_SCAN_TENANTS";

/** Tenant ids are slugs (shared/tenancy tenantSlug); anything else in the list is ignored. */
const TENANT_ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** The tenants allowed to scan the platform's own account (none unless configured). */
export function platformScanTenants(): ReadonlySet<string> {
  const raw = process.env[PLATFORM_SCAN_ENV] ?? "";
  return new Set(
    raw
      .split(",")
      .map((s) => s.trim())
      .filter((s) => TENANT_ID.test(s)),
  );
}

export function mayScanPlatform(tenantId: string): boolean {
  return platformScanTenants().has(tenantId);
}

/**
 * Whether sign-up must refuse to create this tenant id: the deployment grants platform-account
 * scans to it, so only a tenant that already holds it may ever have it.
 */
export function reservedForPlatformScan(tenantId: string): boolean {
  return platformScanTenants().has(tenantId);
}

/** A 403 that says why, for every tenant the deployment did not name. */
export function requirePlatformScan(tenantId: string): void {
  if (mayScanPlatform(tenantId)) return;
  throw new Forbidden(
    "credentials.platform: scanning the platform's own AWS account is reserved to the tenants its operators " +
      "name at deploy time (-c platformScanTenants); this tenant is not one of them. Scan your own account " +
      "with role_arn + external_id or access keys.",
  );
}
