/**
 * GET /backup/download/{id} — the stored backup file, as it was made (sealed or plain tar.gz).
 * Deployed, a 302 to a presigned S3 GET of this tenant's object, valid 5 minutes (no size limit);
 * locally the file itself, up to 4 MB.
 */
import { backupDownload, DOWNLOAD_LINK_SECONDS } from "#shared/backups/backups.ts";
import { BackupIdPath } from "#shared/backups/schemas.ts";
import { BACKUP_FILE_MEDIA } from "#shared/backups/views.ts";
import { defineEndpoint, RawResponse } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "GET /cloud-integration/security/backup/download/{id}",
  {
    path: BackupIdPath,
    produces: BACKUP_FILE_MEDIA,
    redirects: `a presigned link to the file in the blob store, valid ${DOWNLOAD_LINK_SECONDS / 60} minutes (deployed)`,
  },
  async (req) => {
    const file = await backupDownload(req.principal.tenantId, req.path.id);
    const { record } = file;
    req.audit({
      resource: `backup/${record.backupId}`,
      details: {
        backup_id: record.backupId,
        size: record.size,
        checksum: record.checksum,
        delivery: file.kind === "link" ? "presigned_link" : "streamed",
      },
    });
    const checksum = { "Cache-Control": "no-store", "X-Checksum-SHA256": record.checksum.replace(/^sha256:/, "") };
    if (file.kind === "link") return new RawResponse(302, { Location: file.url, ...checksum }, "");
    return new RawResponse(
      200,
      {
        "Content-Type": file.contentType,
        "Content-Disposition": `attachment; filename="${record.filename}"`,
        ...checksum,
      },
      file.body,
    );
  },
);
