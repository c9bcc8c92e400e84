/**
 * Backups of a tenant's security configuration (gateway spec "Backup Security Configuration",
 * "Restore Security Configuration", "Reset Security Settings"): a backup is a real tar.gz of
 * the components' files (collect.ts, archive.ts), sealed with AES-256-GCM (format.ts) unless
 * `encrypt=false`, kept in the blob store under the tenant's prefix with a 30-day retention (the
 * bucket's lifecycle expires it; the record's TTL goes with it), and described by a record in
 * the table (size, SHA-256 checksum, components). Restores read an uploaded file or, beyond spec,
 * a stored backup of the tenant named by its id (no request-size limit) (restore.ts);
 * resets may make a backup first (reset.ts).
 */
import { createHash, randomBytes } from "node:crypto";
import { blobKey, blobLink, blobs, retentionFor } from "#shared/blobs/blobs.ts";
import type { Principal } from "#shared/identity/principal.ts";
import { AppError, Invalid, NotFound, PayloadTooLarge } from "#shared/kit/errors.ts";
import { packArchive } from "./archive.ts";
import { collect } from "./collect.ts";
import { COMPONENTS, type Component } from "./components.ts";
import {
  type BackupRecord,
  getBackupRecord,
  getRestoreReport,
  putBackupRecord,
  putRestoreReport,
  type RestoreReport,
} from "./db/backups.ts";
import { seal } from "./format.ts";
import { type ResetInput, type ResetOutcome, resetSecurity } from "./reset.ts";
import { openBackup, type RestoreOutcome, RestoreUndone, restoreBackup } from "./restore.ts";

export { COMPONENTS, parseComponents } from "./components.ts";
export type { BackupRecord, RestoreReport } from "./db/backups.ts";

/** How long a backup is kept (a retention class of the blob store). */
export const BACKUP_RETENTION_DAYS = retentionFor(30);
/**
 * A Lambda answer is at most 6 MB, base64 included: where the blob store has no links (local mode),
 * files above this are refused for download.
 */
export const MAX_DOWNLOAD_BYTES = 4_000_000;
/** How long a download link (deployed: a presigned S3 GET) stays valid. */
export const DOWNLOAD_LINK_SECONDS = 300;
/** The largest backup POST /restore takes (API Gateway's payload limit, with room for the form). */
export const MAX_UPLOAD_BYTES = 4_500_000;

const DAY_MS = 86_400_000;
const compact = (d: Date) => d.toISOString().replace(/[-:]/g, "").slice(0, 15); // 20250315T103000

export interface BackupInput {
  components: Component[];
  encrypt: boolean;
  password?: string;
}

export async function createBackup(caller: Principal, input: BackupInput, now = new Date()): Promise<BackupRecord> {
  if (!input.encrypt && input.password !== undefined) {
    throw new Invalid("query.password: a password needs encrypt=true", [
      { loc: ["query", "password"], msg: "a password needs encrypt=true", type: "value_error" },
    ]);
  }
  const tenantId = caller.tenantId;
  const stamp = compact(now);
  const backupId = `backup-${stamp.slice(0, 8)}-${randomBytes(3).toString("hex")}`;
  const filename = `security_backup_${stamp.slice(0, 8)}_${stamp.slice(9)}.tar.gz`;
  const { files } = await collect(tenantId, input.components, { backupId, by: caller.username, now });
  const archive = await packArchive(files, now);
  const body = input.encrypt
    ? await seal(tenantId, archive, { backup_id: backupId, created: now.toISOString() }, input.password)
    : archive;
  const key = blobKey(tenantId, "backups", `${backupId}.tar.gz`);
  await blobs.put(key, body, {
    contentType: input.encrypt ? "application/octet-stream" : "application/gzip",
    retentionDays: BACKUP_RETENTION_DAYS,
  });
  const contains = [...new Set(files.map((f) => (f.name.includes("/") ? `${f.name.split("/")[0]}/` : f.name)))];
  const record: BackupRecord = {
    backupId,
    filename,
    blobKey: key,
    size: body.length,
    checksum: `sha256:${createHash("sha256").update(body).digest("hex")}`,
    encrypted: input.encrypt,
    protection: !input.encrypt ? "none" : input.password !== undefined ? "password" : "data-key",
    components: input.components,
    contains,
    created: now.toISOString(),
    createdBy: caller.username,
    expires: new Date(now.getTime() + BACKUP_RETENTION_DAYS * DAY_MS).toISOString(),
  };
  await putBackupRecord(tenantId, record);
  return record;
}

/** A download: a short-lived link to the stored file (deployed), or the file itself (local mode). */
export type BackupDownload =
  | { kind: "link"; record: BackupRecord; url: string }
  | { kind: "file"; record: BackupRecord; body: Buffer; contentType: string };

async function liveRecord(tenantId: string, backupId: string): Promise<BackupRecord> {
  const record = await getBackupRecord(tenantId, backupId);
  if (!record || Date.parse(record.expires) <= Date.now()) throw new NotFound(`Backup ${backupId} not found`);
  return record;
}

/** A stored backup of the tenant with its record, whatever its size. */
export async function backupFile(
  tenantId: string,
  backupId: string,
): Promise<{ record: BackupRecord; body: Buffer; contentType: string }> {
  const record = await liveRecord(tenantId, backupId);
  const blob = await blobs.get(record.blobKey);
  if (!blob) throw new NotFound(`Backup ${backupId} not found (expired from storage)`);
  return { record, body: blob.body, contentType: blob.contentType };
}

/**
 * The caller's backup for download. Where the blob store has links (S3), a presigned GET of this
 * tenant's object valid for DOWNLOAD_LINK_SECONDS, whatever the file's size; otherwise the file,
 * up to MAX_DOWNLOAD_BYTES (a larger one is a 413).
 */
export async function backupDownload(tenantId: string, backupId: string): Promise<BackupDownload> {
  const record = await liveRecord(tenantId, backupId);
  const url = await blobLink(record.blobKey, DOWNLOAD_LINK_SECONDS, { filename: record.filename });
  if (url) return { kind: "link", record, url };
  const file = await backupFile(tenantId, backupId);
  if (file.body.length > MAX_DOWNLOAD_BYTES) {
    throw new PayloadTooLarge(
      `Backup ${backupId} is ${file.body.length} bytes; downloads are limited to ${MAX_DOWNLOAD_BYTES}`,
    );
  }
  return { kind: "file", ...file };
}

export interface RestoreInput {
  /** The uploaded backup, or `backupId`: a backup of this tenant kept in the store (beyond spec). */
  file?: Buffer;
  backupId?: string;
  password?: string;
  components: Component[];
}

export interface RestoreResult extends RestoreOutcome {
  backupId: string;
}

/**
 * Opens, validates and restores an uploaded backup; the validation report is kept (for the
 * backup's id) whether the restore was done or refused after the file was opened.
 */
export async function restoreFromUpload(
  caller: Principal,
  input: RestoreInput,
  now = new Date(),
): Promise<RestoreResult> {
  const tenantId = caller.tenantId;
  const file = input.file ?? (input.backupId ? (await backupFile(tenantId, input.backupId)).body : undefined);
  if (!file) throw new Invalid("file: field required (the backup file), or backup_id");
  const opened = await openBackup(tenantId, file, input.password, (id) => getBackupRecord(tenantId, id));
  if (input.backupId && opened.backupId !== input.backupId) {
    throw new Invalid(`backup_id: the stored file of ${input.backupId} names ${opened.backupId}`);
  }
  const keep = new Date(now.getTime() + BACKUP_RETENTION_DAYS * DAY_MS);
  const base = {
    backupId: opened.backupId,
    at: now.toISOString(),
    by: caller.username,
    checksum: opened.checksum,
    checksumVerified: opened.checksumVerified,
    encrypted: opened.encrypted,
  };
  let outcome: RestoreOutcome;
  try {
    outcome = await restoreBackup(caller, opened, input.components);
  } catch (e) {
    if (e instanceof RestoreUndone) {
      await putRestoreReport(
        tenantId,
        { ...base, status: e.complete ? "rolled_back" : "incomplete", components: e.components, errors: e.errors },
        keep,
      );
    } else if (e instanceof AppError) {
      await putRestoreReport(tenantId, { ...base, status: "refused", components: [], errors: [e.message] }, keep);
    }
    throw e;
  }
  await putRestoreReport(tenantId, { ...base, status: "restored", components: outcome.components, errors: [] }, keep);
  return { ...outcome, backupId: opened.backupId };
}

export async function restoreReport(tenantId: string, backupId: string): Promise<RestoreReport> {
  const report = await getRestoreReport(tenantId, backupId);
  if (!report) throw new NotFound(`No restore report for backup ${backupId}`);
  return report;
}

export interface ResetResult extends ResetOutcome {
  backup?: BackupRecord;
}

export async function resetSettings(
  caller: Principal,
  input: ResetInput & { backupBeforeReset: boolean },
): Promise<ResetResult> {
  const backup = input.backupBeforeReset
    ? await createBackup(caller, { components: [...COMPONENTS], encrypt: true })
    : undefined;
  const outcome = await resetSecurity(caller, input);
  return { ...outcome, ...(backup ? { backup } : {}) };
}
