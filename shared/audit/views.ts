/**
 * The audit area's answers on the wire. Audit records are stored in the wire's snake_case: the
 * stored record is what the hash chain covers, so its field names are part of the chain and never
 * renamed; a view only leaves the chain fields (seq, hashes) out. Beside each view, the zod schema
 * of its answer (`…Response`), which the endpoints declare and the tests check answers against.
 */
import * as z from "zod/mini";
import { responseSchema } from "#shared/kit/text.ts";
import { type AuditRecord, AuditSeverity, AuditStatus } from "./db/trail.ts";

const timestamp = /* @__PURE__ */ responseSchema(() => z.iso.datetime({ offset: true }));
const count = /* @__PURE__ */ responseSchema(() => z.number().check(z.int(), z.gte(0)));

export const AuditLogEntrySchema = /* @__PURE__ */ responseSchema(() =>
  z
    .strictObject({
      id: z.string(),
      timestamp,
      user: z.string().check(z.describe("Who acted (for an API key: its owner)")),
      api_key_id: z.nullable(z.string()).check(z.describe('The API key the action came through ("AK-009"), or null')),
      event: z.string(),
      event_type: z.string().check(z.describe("access_denied for every refused (403) request, whatever it attempted")),
      resource: z.string(),
      ip_address: z.nullable(z.string()),
      user_agent: z.nullable(z.string()),
      status: AuditStatus,
      details: z.record(z.string(), z.unknown()),
      severity: AuditSeverity,
    })
    .check(z.meta({ id: "AuditLogEntry" })),
);

/** A record as the gateway spec shows it (chain fields stay internal). */
export function auditLogView(r: AuditRecord) {
  return {
    id: r.id,
    timestamp: r.timestamp,
    user: r.user,
    api_key_id: r.api_key_id ?? null,
    event: r.event,
    event_type: r.event_type,
    resource: r.resource,
    ip_address: r.ip_address,
    user_agent: r.user_agent,
    status: r.status,
    details: r.details,
    severity: r.severity,
  };
}

const auditStatsShape = /* @__PURE__ */ responseSchema(() => ({
  successful_events: count,
  failed_events: count,
  unique_users: count,
  unique_ips: count,
  event_types: z.record(z.string(), count),
}));

/** GET /audit/logs (built by query.ts `queryAuditLogs`). */
export const AuditLogsResponse = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({
    logs: z.array(AuditLogEntrySchema),
    total: count,
    filtered: count.check(z.describe("Records on this page")),
    pagination: z.strictObject({ page: count, limit: count, pages: count }),
    stats: z.strictObject(auditStatsShape),
    period: z.strictObject({ start: timestamp, end: timestamp, hours: count }),
  }),
);

const alert = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({
    timestamp,
    type: z.string(),
    user: z.optional(z.string()),
    ip: z.optional(z.nullable(z.string())),
    severity: z.enum(["medium", "high", "critical"]),
    description: z.string(),
    action_taken: z.optional(z.string()),
  }),
);

/** GET /audit/stats (built by stats.ts `auditStatistics`). */
export const AuditStatsResponse = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({
    time_range: z.enum(["24h", "7d", "30d", "custom"]),
    period: z.strictObject({ start: timestamp, end: timestamp, buckets: z.enum(["hour", "day"]) }),
    last_24_hours: z
      .strictObject({
        total_events: count,
        successful: count,
        failed: count,
        login_attempts: count.check(z.describe("Sign-in attempts, successful or not")),
        ssh_sessions: count,
        user_changes: count.check(z.describe("Successful changes only; refused ones are access_denied")),
        firewall_changes: count.check(z.describe("Successful changes only; refused ones are access_denied")),
        api_calls: count,
        access_denied: count.check(z.describe("Requests refused with 403")),
      })
      .check(z.describe("The selected range (the name is the spec's; `period` says which range)")),
    top_users: z.array(z.strictObject({ username: z.string(), events: count, success_rate: count })),
    top_ips: z.array(z.strictObject({ ip: z.string(), events: count, success_rate: count })),
    event_timeline: z.array(
      z.union([
        z.strictObject({ hour: z.string(), events: count }),
        z.strictObject({ day: z.string(), events: count }),
      ]),
    ),
    security_alerts: z.array(alert),
    compliance: z.strictObject({
      retention_days: count,
      encryption_enabled: z.boolean(),
      tamper_protection: z.boolean(),
      chain_intact: z.boolean(),
      chain_broken_at: z.optional(z.strictObject({ seq: count, id: z.string(), reason: z.string() })),
      export_capability: z.boolean(),
    }),
  }),
);

/** GET /audit/export: the file, in the asked format. */
export const AUDIT_EXPORT_MEDIA = /* @__PURE__ */ responseSchema(() => ({
  "text/csv": { description: "CSV: timestamp, user, event, resource, ip_address, status, details (JSON)" },
  "application/json": {
    description: "The records as GET /audit/logs shows them, with the export's range",
    schema: z.strictObject({
      export: z.strictObject({ start_date: z.string(), end_date: z.string(), generated_at: timestamp, count }),
      logs: z.array(AuditLogEntrySchema),
    }),
  },
  "application/pdf": { description: "A printable report of the records" },
}));

export const AuditClearResponse = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({
    status: z.literal("cleared"),
    deleted_count: count,
    archived_count: count,
    retained_count: count,
    archive_file: z.nullable(z.string()),
    message: z.string(),
  }),
);

/** POST /audit/clear */
export function auditClearView(r: {
  deletedCount: number;
  archivedCount: number;
  retainedCount: number;
  archiveFile: string | null;
}) {
  return {
    status: "cleared",
    deleted_count: r.deletedCount,
    archived_count: r.archivedCount,
    retained_count: r.retainedCount,
    archive_file: r.archiveFile,
    message: r.deletedCount ? "Audit logs cleared successfully" : "No audit records older than the cutoff",
  };
}
