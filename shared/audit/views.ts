/**
 * The audit area's answers on the wire. Audit records are stored in the wire's snake_case: the
 * stored record is what the hash chain covers, so its field names are part of the chain and never
 * renamed; a view only leaves the chain fields (seq, hashes) out.
 */
import type { AuditRecord } from "./db/trail.ts";

/** A record as the gateway spec shows it (chain fields stay internal). */
export function auditLogView(r: AuditRecord) {
  return {
    id: r.id,
    timestamp: r.timestamp,
    user: r.user,
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
