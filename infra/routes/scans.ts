/**
 * Gateway security scans (gateway spec "Run Security Scan", "Get Scan Results", "Get Scan
 * Progress", plus cancel and the weekly schedule's removal), and the securenet legacy routes that
 * are thin aliases over them (deprecated: every answer names its successor). Stack `Routes-scans`.
 *
 * Access: starting a scan writes the scan item and the month's usage and starts the `gateway-scan`
 * state machine (workflows: start); the steps themselves run as workflow tasks (infra/workers.ts),
 * so reads here need the table only. `schedule: true` and DELETE /scan/schedule also call
 * EventBridge Scheduler (scanSchedules: this deployment's schedule group, passing only the scan
 * scheduler role; infra/stacks/workflows-stack.ts makes both).
 */
import { type RouteDef, rows } from "#shared/kit/route.ts";

const row = rows({ surface: "gateway", base: "/cloud-integration/security" });
const legacy = rows({ surface: "securenet", base: "/api" });
/** When the securenet legacy routes became aliases of the gateway scan. */
const LEGACY_SINCE = "2026-11-30";

export const scanRoutes: RouteDef[] = [
  row({
    method: "POST",
    path: "/scan",
    handler: "functions/gateway/scan/start.ts",
    permission: "security:write",
    access: { table: "RW", workflows: "start", scanSchedules: true },
    audit: { event: "Security Scan Started", eventType: "scan_started" },
    rateClass: "scan",
  }),
  row({
    method: "GET",
    path: "/scan/results",
    handler: "functions/gateway/scan/results.ts",
    permission: "security:read",
    access: { table: "RO" },
  }),
  row({
    method: "GET",
    path: "/scan/progress/{scan_id}",
    handler: "functions/gateway/scan/progress.ts",
    permission: "security:read",
    access: { table: "RO" },
  }),
  row({
    method: "POST",
    path: "/scan/{scan_id}/cancel",
    handler: "functions/gateway/scan/cancel.ts",
    permission: "security:write",
    access: { table: "RW" },
    audit: { event: "Security Scan Cancelled", eventType: "scan_cancelled" },
  }),
  row({
    method: "DELETE",
    path: "/scan/schedule",
    handler: "functions/gateway/scan/delete-schedule.ts",
    permission: "security:write",
    access: { table: "RW", scanSchedules: true },
    audit: { event: "Scan Schedule Deleted", eventType: "scan_schedule_deleted" },
  }),
  legacy({
    method: "GET",
    path: "/security",
    handler: "functions/securenet/legacy/security.ts",
    permission: "security:read",
    access: { table: "RO" },
    deprecated: { since: LEGACY_SINCE, successor: "/cloud-integration/security/scan/results" },
  }),
  legacy({
    method: "POST",
    path: "/network/scan",
    handler: "functions/securenet/legacy/network-scan.ts",
    permission: "security:write",
    access: { table: "RW", workflows: "start" },
    audit: { event: "Security Scan Started", eventType: "scan_started" },
    rateClass: "scan",
    deprecated: { since: LEGACY_SINCE, successor: "/cloud-integration/security/scan" },
  }),
  legacy({
    method: "POST",
    path: "/security/scan",
    handler: "functions/securenet/legacy/security-scan.ts",
    permission: "security:write",
    access: { table: "RW", workflows: "start", scanSchedules: true },
    audit: { event: "Security Scan Started", eventType: "scan_started" },
    rateClass: "scan",
    deprecated: { since: LEGACY_SINCE, successor: "/cloud-integration/security/scan" },
  }),
];
