/**
 * Gateway surface, backups area: encrypted backup of the security configuration, its download,
 * restore from an uploaded backup with its validation report, and reset to defaults (gateway spec
 * "Backup Security Configuration", "Restore Security Configuration", "Reset Security Settings").
 * Admin only. Stack `Routes-backups`.
 *
 * Access: a backup reads every area's records, writes its own record (table RW), the file (blobs
 * RW) and seals it under a fresh data key (dataKey encrypt); the download reads the record and the
 * file; a restore unwraps the data key (decrypt), writes every area and pushes the firewall and
 * SSH shadows; a reset makes a backup first and writes and pushes the same areas.
 */
import { type RouteDef, rows } from "#shared/kit/route.ts";

const row = rows({ surface: "gateway", base: "/cloud-integration/security" });

export const backupRoutes: RouteDef[] = [
  row({
    method: "GET",
    path: "/backup",
    handler: "functions/gateway/backup/create.ts",
    permission: "backup:create",
    access: { table: "RW", blobs: "RW", dataKey: "encrypt" },
    // A GET that makes and stores a file: audited by the handler's own note.
    audit: { event: "Security Backup Created", eventType: "backup_created" },
  }),
  row({
    method: "GET",
    path: "/backup/download/{id}",
    handler: "functions/gateway/backup/download.ts",
    permission: "backup:create",
    access: { table: "RO", blobs: "RO" },
    audit: { event: "Security Backup Downloaded", eventType: "backup_downloaded" },
  }),
  row({
    method: "POST",
    path: "/restore",
    handler: "functions/gateway/backup/restore.ts",
    permission: "backup:restore",
    access: { table: "RW", blobs: "RO", dataKey: "decrypt", iotShadows: true, notify: true, workflows: "start" },
    audit: { event: "Security Configuration Restored", eventType: "backup_restored" },
    body: "multipart",
  }),
  row({
    method: "GET",
    path: "/restore/report/{id}",
    handler: "functions/gateway/backup/report.ts",
    permission: "backup:restore",
    access: { table: "RO" },
  }),
  row({
    method: "POST",
    path: "/reset",
    handler: "functions/gateway/backup/reset.ts",
    permission: "security:reset",
    access: { table: "RW", blobs: "RW", dataKey: "encrypt", iotShadows: true, notify: true, workflows: "start" },
    audit: { event: "Security Settings Reset", eventType: "security_reset" },
  }),
];
