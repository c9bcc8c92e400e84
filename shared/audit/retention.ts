/** How long a tenant keeps its audit trail (gateway "Save All Security Settings", audit section). */
import { assertAuditRetention } from "#shared/billing/limits.ts";
import { type AuditSettings, auditSettings } from "./db/retention.ts";

export { DEFAULT_AUDIT_RETENTION_DAYS } from "./db/retention.ts";

export function getAuditSettings(tenantId: string, consistent = false): Promise<AuditSettings> {
  return auditSettings.get(tenantId, consistent);
}

/**
 * Sets the retention read at `current.version` (a concurrent change is a 409) and answers the
 * change as `{old, new}`, or null when nothing changed.
 */
export async function setAuditRetention(
  tenantId: string,
  retentionDays: number,
): Promise<{ old: number; new: number } | null> {
  const current = await auditSettings.get(tenantId, true);
  if (current.retentionDays === retentionDays) return null;
  await assertAuditRetention(tenantId, retentionDays);
  await auditSettings.save(tenantId, current, { retentionDays });
  return { old: current.retentionDays, new: retentionDays };
}
