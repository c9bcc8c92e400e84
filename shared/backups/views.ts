/**
 * The backup routes' answers in the gateway spec's wire shape, each beside its zod schema (the
 * endpoint declares it; the OpenAPI document and the contract tests use it).
 */
import * as z from "zod/mini";
import { responseSchema } from "#shared/kit/text.ts";
import type { BackupRecord, ResetResult, RestoreReport, RestoreResult } from "./backups.ts";

const BASE = "/cloud-integration/security";
const downloadUrl = (id: string) => `${BASE}/backup/download/${id}`;
const reportUrl = (id: string) => `${BASE}/restore/report/${id}`;

/** "1.5 MB", "812 KB", "640 B": the spec's `size`, from the real byte count. */
export function humanSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1).replace(/\.0$/, "")} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, "")} MB`;
}

const timestamp = /* @__PURE__ */ responseSchema(() => z.iso.datetime({ offset: true }));
const count = /* @__PURE__ */ responseSchema(() => z.number().check(z.int(), z.gte(0)));

export const BackupResponse = /* @__PURE__ */ responseSchema(() =>
  z.object({
    backup_id: z.string(),
    filename: z.string(),
    download_url: z.string(),
    size: z.string(),
    /** Beyond spec: the exact size in bytes. */
    size_bytes: count,
    encrypted: z.boolean(),
    /** Beyond spec: `password`, `data-key` (KMS in AWS) or `none`. */
    protection: z.enum(["password", "data-key", "none"]),
    contains: z.array(z.string()),
    /** Beyond spec: the components the backup holds (one list for backup, restore and reset). */
    components: z.array(z.string()),
    checksum: z.string().check(z.regex(/^sha256:[0-9a-f]{64}$/)),
    created: timestamp,
    expires: timestamp,
  }),
);

export function backupView(r: BackupRecord): z.infer<typeof BackupResponse> {
  return {
    backup_id: r.backupId,
    filename: r.filename,
    download_url: downloadUrl(r.backupId),
    size: humanSize(r.size),
    size_bytes: r.size,
    encrypted: r.encrypted,
    protection: r.protection === "password" ? "password" : r.protection === "none" ? "none" : "data-key",
    contains: r.contains,
    components: r.components,
    checksum: r.checksum,
    created: r.created,
    expires: r.expires,
  };
}

export const BACKUP_FILE_MEDIA = {
  "application/octet-stream": {
    description: "An encrypted backup (format in shared/backups/format.ts: AES-256-GCM over the tar.gz)",
  },
  "application/gzip": { description: "An unencrypted backup (encrypt=false): the tar.gz itself" },
};

const ComponentReport = /* @__PURE__ */ responseSchema(() =>
  z.object({
    component: z.string(),
    outcome: z.enum(["restored", "skipped", "invalid", "rolled_back", "not_written"]),
    records: count,
    written: count,
    notes: z.array(z.string()),
  }),
);

export const RestoreResponse = /* @__PURE__ */ responseSchema(() =>
  z.object({
    status: z.literal("restored"),
    backup_id: z.string(),
    restored_components: z.array(z.string()),
    skipped_components: z.array(z.string()),
    message: z.string(),
    users_restored: count,
    rules_restored: count,
    restart_required: z.boolean(),
    validation_report: z.string(),
    /** Beyond spec: what each component did (the validation report's body). */
    components: z.array(ComponentReport),
  }),
);

export function restoreView(r: RestoreResult): z.infer<typeof RestoreResponse> {
  return {
    status: "restored",
    backup_id: r.backupId,
    restored_components: r.restored,
    skipped_components: r.skipped,
    message:
      r.restored.length > 0
        ? "Security configuration restored successfully"
        : "Nothing was restored: none of the components asked for can be restored from this backup",
    users_restored: r.usersRestored,
    rules_restored: r.rulesRestored,
    restart_required: r.restartRequired,
    validation_report: reportUrl(r.backupId),
    components: r.components,
  };
}

export const RestoreReportResponse = /* @__PURE__ */ responseSchema(() =>
  z.object({
    backup_id: z.string(),
    status: z.enum(["restored", "refused", "rolled_back", "incomplete"]),
    restored_at: timestamp,
    restored_by: z.string(),
    checksum: z.string(),
    /** True when the file's checksum was checked against the one recorded when the backup was made. */
    checksum_verified: z.boolean(),
    /** True when the file was sealed: its GCM tag (over the header, the tenant and the contents) was verified. */
    encrypted: z.boolean(),
    components: z.array(ComponentReport),
    errors: z.array(z.string()),
  }),
);

export function restoreReportView(r: RestoreReport): z.infer<typeof RestoreReportResponse> {
  return {
    backup_id: r.backupId,
    status: r.status,
    restored_at: r.at,
    restored_by: r.by,
    checksum: r.checksum,
    checksum_verified: r.checksumVerified,
    encrypted: r.encrypted,
    components: r.components,
    errors: r.errors,
  };
}

export const ResetResponse = /* @__PURE__ */ responseSchema(() =>
  z.object({
    status: z.literal("reset"),
    backup_file: z.nullable(z.string()),
    /** Beyond spec: the backup made first (null when `backup_before_reset` was false). */
    backup_id: z.nullable(z.string()),
    components_reset: z.array(z.string()),
    components_preserved: z.array(z.string()),
    message: z.string(),
    restart_required: z.boolean(),
    default_admin_password: z.optional(z.string()),
    api_keys_revoked: count,
    notes: z.array(z.string()),
  }),
);

export function resetView(r: ResetResult): z.infer<typeof ResetResponse> {
  return {
    status: "reset",
    backup_file: r.backup ? downloadUrl(r.backup.backupId) : null,
    backup_id: r.backup?.backupId ?? null,
    components_reset: r.componentsReset,
    components_preserved: r.componentsPreserved,
    message: "Security settings reset to defaults",
    restart_required: r.restartRequired,
    ...(r.temporaryPassword ? { default_admin_password: r.temporaryPassword } : {}),
    api_keys_revoked: r.apiKeysRevoked,
    notes: r.notes,
  };
}
