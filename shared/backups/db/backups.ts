/**
 * Backup records and restore reports: one item per backup (`BACKUP#<id>`) describing the file kept
 * in the blob store (never the file itself), and one restore report per backup id
 * (`RESTORE#<backup id>`, the latest restore of that backup), both in the tenant's partition and
 * expiring with the backup (TTL `expiresAt`, epoch seconds).
 *
 * Access patterns: put a new backup record (PutItem, unique id); get one (GetItem); put the
 * restore report of a backup (PutItem, replaced by the next restore of the same backup); get it.
 */

import { PutCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "zod/mini";
import { db, tableName } from "#shared/table/client.ts";
import { type Key, tenantPk } from "#shared/table/keys.ts";
import { getItem, putNew } from "#shared/table/repo.ts";

const backupKey = (tenantId: string, backupId: string): Key => ({ PK: tenantPk(tenantId), SK: `BACKUP#${backupId}` });
const reportKey = (tenantId: string, backupId: string): Key => ({ PK: tenantPk(tenantId), SK: `RESTORE#${backupId}` });

export const BackupRecord = z.object({
  backupId: z.string(),
  filename: z.string(),
  blobKey: z.string(),
  size: z.number(),
  checksum: z.string(),
  encrypted: z.boolean(),
  /** "password", "kms", "local" (the data key's scheme) or "none". */
  protection: z.string(),
  components: z.array(z.string()),
  contains: z.array(z.string()),
  created: z.string(),
  createdBy: z.string(),
  expires: z.string(),
});
export type BackupRecord = z.infer<typeof BackupRecord>;

const epoch = (iso: string) => Math.floor(Date.parse(iso) / 1000);

export async function putBackupRecord(tenantId: string, r: BackupRecord): Promise<void> {
  await putNew(
    { ...backupKey(tenantId, r.backupId), type: "Backup", tenantId, ...r, expiresAt: epoch(r.expires) },
    `Backup ${r.backupId}`,
  );
}

export async function getBackupRecord(tenantId: string, backupId: string): Promise<BackupRecord | undefined> {
  const item = await getItem(backupKey(tenantId, backupId));
  return item ? BackupRecord.parse(item) : undefined;
}

export const RestoreReport = z.object({
  backupId: z.string(),
  status: z.enum(["restored", "refused", "rolled_back", "incomplete"]),
  at: z.string(),
  by: z.string(),
  checksum: z.string(),
  checksumVerified: z.boolean(),
  encrypted: z.boolean(),
  components: z.array(
    z.object({
      component: z.string(),
      outcome: z.enum(["restored", "skipped", "invalid", "rolled_back", "not_written"]),
      records: z.number(),
      written: z.number(),
      notes: z.array(z.string()),
    }),
  ),
  errors: z.array(z.string()),
});
export type RestoreReport = z.infer<typeof RestoreReport>;

/** Replaces the report of the previous restore of the same backup. */
export async function putRestoreReport(tenantId: string, r: RestoreReport, expires: Date): Promise<void> {
  await db.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        ...reportKey(tenantId, r.backupId),
        type: "RestoreReport",
        tenantId,
        ...r,
        expiresAt: epoch(expires.toISOString()),
      },
    }),
  );
}

export async function getRestoreReport(tenantId: string, backupId: string): Promise<RestoreReport | undefined> {
  const item = await getItem(reportKey(tenantId, backupId));
  return item ? RestoreReport.parse(item) : undefined;
}
