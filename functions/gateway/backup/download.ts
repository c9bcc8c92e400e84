/** GET /backup/download/{id} — the stored backup file, as it was made (sealed or plain tar.gz). */
import { backupFile } from "#shared/backups/backups.ts";
import { BackupIdPath } from "#shared/backups/schemas.ts";
import { BACKUP_FILE_MEDIA } from "#shared/backups/views.ts";
import { defineEndpoint, RawResponse } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "GET /cloud-integration/security/backup/download/{id}",
  { path: BackupIdPath, produces: BACKUP_FILE_MEDIA },
  async (req) => {
    const file = await backupFile(req.principal.tenantId, req.path.id);
    req.audit({
      resource: `backup/${file.record.backupId}`,
      details: { backup_id: file.record.backupId, size: file.body.length, checksum: file.record.checksum },
    });
    return new RawResponse(
      200,
      {
        "Content-Type": file.contentType,
        "Content-Disposition": `attachment; filename="${file.record.filename}"`,
        "Cache-Control": "no-store",
        "X-Checksum-SHA256": file.record.checksum.replace(/^sha256:/, ""),
      },
      file.body,
    );
  },
);
