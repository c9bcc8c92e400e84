/**
 * Reading the audit trail for the gateway "Get Audit Log" route: a time window of whole hours
 * (day partitions outside it are never read), filters, pages and counts.
 *
 * Counts, as the spec example's numbers imply (125 = 120 successful + 5 failed, 25 pages of 5):
 * `total` is the number of records matching the filters in the window, `filtered` the number on
 * this page, `pagination.pages` = ceil(total / limit), and `stats` describe all matching records.
 */
import { type AuditRecord, readAudit } from "./db/trail.ts";
import { auditLogView } from "./views.ts";

export const MAX_AUDIT_HOURS = 720;

export interface AuditFilters {
  eventType?: string;
  username?: string;
  ip?: string;
  status?: "success" | "failed";
  resource?: string;
}

export function matches(r: AuditRecord, f: AuditFilters): boolean {
  return (
    (f.eventType === undefined || r.event_type === f.eventType) &&
    (f.username === undefined || r.user.toLowerCase() === f.username.toLowerCase()) &&
    (f.ip === undefined || r.ip_address === f.ip) &&
    (f.status === undefined || r.status === f.status) &&
    (f.resource === undefined || r.resource === f.resource)
  );
}

export function auditStatsOf(records: readonly AuditRecord[]) {
  const eventTypes: Record<string, number> = {};
  for (const r of records) eventTypes[r.event_type] = (eventTypes[r.event_type] ?? 0) + 1;
  return {
    successful_events: records.filter((r) => r.status === "success").length,
    failed_events: records.filter((r) => r.status === "failed").length,
    unique_users: new Set(records.map((r) => r.user)).size,
    unique_ips: new Set(records.flatMap((r) => (r.ip_address ? [r.ip_address] : []))).size,
    event_types: eventTypes,
  };
}

export interface AuditPageQuery extends AuditFilters {
  hours: number;
  limit: number;
  page: number;
}

export async function queryAuditLogs(tenantId: string, q: AuditPageQuery, now = new Date()) {
  const from = new Date(now.getTime() - q.hours * 3_600_000);
  const matching = (await readAudit(tenantId, from, now)).filter((r) => matches(r, q));
  const pageRecords = matching.slice((q.page - 1) * q.limit, q.page * q.limit);
  return {
    logs: pageRecords.map(auditLogView),
    total: matching.length,
    filtered: pageRecords.length,
    pagination: { page: q.page, limit: q.limit, pages: Math.ceil(matching.length / q.limit) },
    stats: auditStatsOf(matching),
    period: { start: from.toISOString(), end: now.toISOString(), hours: q.hours },
  };
}
