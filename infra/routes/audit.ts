/**
 * Gateway surface, audit area: the security audit log — read, export, statistics, clear (gateway
 * spec "Security Audit Log"). Stack `Routes-audit`.
 */
import { type RouteDef, rows } from "#shared/kit/route.ts";

const row = rows({ surface: "gateway", base: "/cloud-integration/security" });
const RO = { table: "RO" } as const;
const RW = { table: "RW" } as const;

export const auditRoutes: RouteDef[] = [
  row({
    method: "GET",
    path: "/audit/logs",
    handler: "functions/gateway/audit/logs.ts",
    permission: "audit:read",
    access: RO,
  }),
  row({
    method: "GET",
    path: "/audit/export",
    handler: "functions/gateway/audit/export.ts",
    permission: "audit:read",
    // Reads only, but writes its own audit record: who took a copy of the trail is a security event.
    access: RW,
    audit: { event: "Audit Log Exported", eventType: "audit_exported" },
  }),
  row({
    method: "GET",
    path: "/audit/stats",
    handler: "functions/gateway/audit/stats.ts",
    permission: "audit:read",
    access: RO,
  }),
  row({
    method: "POST",
    path: "/audit/clear",
    handler: "functions/gateway/audit/clear.ts",
    permission: "audit:admin",
    // Removes a linked prefix of the trail: moves the chain head's anchor and deletes the records.
    access: { ...RW, auditMaintenance: true },
    audit: { event: "Audit Log Cleared", eventType: "audit_cleared" },
  }),
];
