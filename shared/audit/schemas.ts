/** Request schemas of the audit routes (gateway spec "Security Audit Log"). */
import * as z from "zod/mini";
import { freeText } from "#shared/kit/text.ts";
import { MAX_AUDIT_HOURS } from "./query.ts";

const text = z.string().check(z.trim(), z.minLength(1), z.maxLength(256));

/** GET /audit/logs */
export const AuditLogsQuery = z.strictObject({
  hours: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(MAX_AUDIT_HOURS)), 24),
  event_type: z.optional(text),
  username: z.optional(text),
  ip_address: z.optional(text),
  status: z.optional(z.enum(["success", "failed"])),
  resource: z.optional(text),
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(1000)), 100),
  page: z._default(z.coerce.number().check(z.int(), z.gte(1)), 1),
});

/** GET /audit/export */
export const AuditExportQuery = z.strictObject({
  format: z._default(z.enum(["csv", "json", "pdf"]), "csv"),
  start_date: z.optional(z.string()),
  end_date: z.optional(z.string()),
  event_type: z.optional(text),
  username: z.optional(text),
});

/** GET /audit/stats */
export const AuditStatsQuery = z.strictObject({
  time_range: z.optional(z.enum(["24h", "7d", "30d", "custom"])),
  start_date: z.optional(z.string()),
  end_date: z.optional(z.string()),
});

/** POST /audit/clear */
export const AuditClearBody = z.strictObject({
  older_than_days: z.int().check(z.gte(1), z.lte(36_500)),
  confirm: z.boolean(),
  archive_before_delete: z._default(z.boolean(), true),
  reason: z.optional(freeText({ max: 500 })),
});
