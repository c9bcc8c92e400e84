/**
 * Scans of the platform's own AWS account with the scanner's own role (`credentials: {"platform": true}`,
 * beyond spec). The platform's account holds every tenant's data, so this is never a tenant's right:
 * a platform engineer names the tenant(s) that may do it at deploy time (`cdk deploy -c
 * platformScanTenants=<id>@<created_at>,…`), which reaches the scan functions as
 * `WARDEN_PLATFORM_SCAN_TENANTS`. Unset — the default, deployed and locally — nobody may. The scan
 * then runs on the function's own credentials (the SDK's default provider chain: the Lambda role,
 * which the CDK app gives exactly the collectors' read-only calls only with that option; locally,
 * whatever AWS credentials the process has). No AssumeRole, nothing sealed, nothing stored.
 *
 * Each entry names a tenant by its id AND its creation time (the tenant item's `createdAt`, exactly
 * as stored, e.g. `warden-ops@2026-11-30T11:03:50.123Z`), checked against the tenant item wherever
 * the right is decided. The id alone is a name anyone could have chosen at sign-up; the creation
 * time is something only the tenant that exists has, so a typo that happens to be another existing
 * tenant's id grants nothing, and neither would a later tenant with a listed id.
 *
 * The listed ids are also reserved: sign-up never creates a tenant with one of them
 * (shared/identity/sign-up.ts), so an id the operators name before its tenant exists — a typo, a
 * tenant to be created later — cannot be claimed by whoever first signs up with a matching
 * organization name. Tenants are never deleted, so a listed tenant's id never becomes free again.
 *
 * Read on every use (a few string operations), so a test can name the tenant it just created.
 */
import { Forbidden } from "#shared/kit/errors.ts";
import { getTenant } from "#shared/tenancy/tenants.ts";

export const PLATFORM_SCAN_ENV = "WARDEN_PLATFORM_SCAN_TENANTS";

/** Tenant ids are slugs (shared/tenancy tenantSlug). */
const TENANT_ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;
/** `<tenant id>@<created_at>`: the creation time as the tenant item stores it (toISOString). */
const ENTRY = /^([a-z0-9]+(?:-[a-z0-9]+)*)@(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)$/;

interface PlatformScanEntry {
  id: string;
  /** Absent for a bare id: it is reserved against sign-up but grants nothing. */
  createdAt?: string;
}

/**
 * The deployment's list, entry by entry; anything that is neither `<id>@<created_at>` nor a bare id
 * is ignored. (The CDK app refuses both at synth, infra/app.ts: only `<id>@<created_at>` reaches a
 * deployment; a bare id can come from a local environment.)
 */
function platformScanEntries(): PlatformScanEntry[] {
  const raw = process.env[PLATFORM_SCAN_ENV] ?? "";
  const entries: PlatformScanEntry[] = [];
  for (const part of raw.split(",").map((s) => s.trim())) {
    const bound = ENTRY.exec(part);
    if (bound?.[1] && bound[2]) entries.push({ id: bound[1], createdAt: bound[2] });
    else if (TENANT_ID.test(part)) entries.push({ id: part });
  }
  return entries;
}

/** Whether this tenant — the one that exists now, by id and creation time — may scan the platform's account. */
export function mayScanPlatform(tenant: { id: string; createdAt: string } | undefined): boolean {
  if (!tenant) return false;
  return platformScanEntries().some((e) => e.id === tenant.id && e.createdAt === tenant.createdAt);
}

/**
 * Whether sign-up must refuse to create this tenant id: the deployment names it for platform-account
 * scans (bound or bare), so only a tenant that already holds it may ever have it.
 */
export function reservedForPlatformScan(tenantId: string): boolean {
  return platformScanEntries().some((e) => e.id === tenantId);
}

/**
 * A 403 that says why, for every tenant the deployment did not name. The tenant item is read
 * (consistently) only when its id is on the list, for the creation time.
 */
export async function requirePlatformScan(tenantId: string): Promise<void> {
  if (reservedForPlatformScan(tenantId) && mayScanPlatform(await getTenant(tenantId, true))) return;
  throw new Forbidden(
    "credentials.platform: scanning the platform's own AWS account is reserved to the tenants its operators " +
      "name at deploy time (-c platformScanTenants); this tenant is not one of them. Scan your own account " +
      "with role_arn + external_id or access keys.",
  );
}
