/**
 * A tenant's audit settings: one settings document, `T#<tenant>` / `SETTINGS#access:audit`,
 * holding how many days of the trail the tenant keeps.
 */
import * as z from "zod/mini";
import { settingsDocument } from "#shared/table/settings-doc.ts";

export const DEFAULT_AUDIT_RETENTION_DAYS = 90;

export const AuditSettings = z.object({
  retentionDays: z._default(z.number(), DEFAULT_AUDIT_RETENTION_DAYS),
  updatedAt: z._default(z.nullable(z.string()), null),
  version: z._default(z.number(), 0),
});
export type AuditSettings = z.infer<typeof AuditSettings>;

export const auditSettings = settingsDocument("audit", AuditSettings, "access:audit");
