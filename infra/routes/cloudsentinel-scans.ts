/**
 * Cloudsentinel surface: cloud account scans, alerts and reports (cloudsentinel spec "Scanning",
 * "Alert" and "Reports" endpoints). Stack `Routes-cloudsentinel-scans`.
 *
 * Access: reads need the table only; starting a scan seals the request's access keys (dataKey
 * encrypt), counts the scan against the plan and starts the cloud-scan state machine (workflows:
 * start); alert changes write the table; an export writes its own audit record (who took a copy of
 * the findings is a security event). The collectors run in the state machine's tasks, not here.
 */
import { type RouteDef, rows } from "#shared/kit/route.ts";

const row = rows({ surface: "cloudsentinel", base: "/api/v1" });
const RO = { table: "RO" } as const;
const RW = { table: "RW" } as const;

export const cloudsentinelScanRoutes: RouteDef[] = [
  row({
    method: "GET",
    path: "/scan/scans",
    handler: "functions/cloudsentinel/scan/list.ts",
    permission: "cloud:read",
    access: RO,
  }),
  row({
    method: "POST",
    path: "/scan/start",
    handler: "functions/cloudsentinel/scan/start.ts",
    permission: "cloud:write",
    rateClass: "scan",
    // "gate": answers 403 to a platform-account scan from a tenant the deployment did not name.
    access: { table: "RW", dataKey: "encrypt", workflows: "start", platformAccountScan: "gate" },
    audit: { event: "Cloud Scan Started", eventType: "cloud_scan_started" },
  }),
  row({
    method: "GET",
    path: "/scan/status/{scan_id}",
    handler: "functions/cloudsentinel/scan/status.ts",
    permission: "cloud:read",
    access: RO,
  }),
  row({
    method: "GET",
    path: "/scan/results/{scan_id}",
    handler: "functions/cloudsentinel/scan/results.ts",
    permission: "cloud:read",
    access: RO,
  }),
  row({
    method: "GET",
    path: "/scan/providers",
    handler: "functions/cloudsentinel/scan/providers.ts",
    permission: "cloud:read",
    // Lists `platform` among the credential types only for a tenant the deployment names.
    access: { platformAccountScan: "gate" },
  }),
  row({
    method: "GET",
    path: "/alerts/",
    handler: "functions/cloudsentinel/alerts/list.ts",
    permission: "cloud:read",
    access: RO,
  }),
  row({
    method: "PATCH",
    path: "/alerts/{alert_id}/status",
    handler: "functions/cloudsentinel/alerts/update-status.ts",
    permission: "cloud:write",
    access: RW,
    audit: { event: "Cloud Alert Updated", eventType: "cloud_alert_updated" },
  }),
  row({
    method: "PATCH",
    path: "/alerts/bulk",
    handler: "functions/cloudsentinel/alerts/bulk.ts",
    permission: "cloud:write",
    access: RW,
    audit: { event: "Cloud Alerts Updated", eventType: "cloud_alerts_updated" },
  }),
  row({
    method: "GET",
    path: "/alerts/stats",
    handler: "functions/cloudsentinel/alerts/stats.ts",
    permission: "cloud:read",
    access: RO,
  }),
  row({
    method: "GET",
    path: "/reports/dashboard",
    handler: "functions/cloudsentinel/reports/dashboard.ts",
    permission: "cloud:read",
    access: RO,
  }),
  row({
    method: "GET",
    path: "/reports/security-score",
    handler: "functions/cloudsentinel/reports/security-score.ts",
    permission: "cloud:read",
    access: RO,
  }),
  row({
    method: "GET",
    path: "/reports/compliance",
    handler: "functions/cloudsentinel/reports/compliance.ts",
    permission: "cloud:read",
    access: RO,
  }),
  row({
    method: "GET",
    path: "/reports/export",
    handler: "functions/cloudsentinel/reports/export.ts",
    permission: "cloud:read",
    access: RW,
    audit: { event: "Cloud Report Exported", eventType: "cloud_report_exported" },
  }),
];
