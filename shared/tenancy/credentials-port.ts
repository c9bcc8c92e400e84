/** What a tenant-credentials adapter implements (STS when deployed, the local stand-in in local mode and tests). */
import type { TenantCredentials } from "#shared/table/client.ts";

/** Issues temporary credentials for one tenant session, tagged `tenant=<tenantId>` and scoped down by `sessionPolicy`. */
export interface CredentialIssuer {
  issue(request: { tenantId: string; sessionPolicy: string; durationSeconds: number }): Promise<TenantCredentials>;
}
