/**
 * GET /backup — makes a backup of the chosen components (all by default): a tar.gz, sealed with
 * AES-256-GCM under the password (scrypt) or a fresh data key unless `encrypt=false`, stored for
 * 30 days. Answers where to download it, its real size and SHA-256.
 */

import { createBackup, parseComponents } from "#shared/backups/backups.ts";
import { BackupQuery } from "#shared/backups/schemas.ts";
import { BackupResponse, backupView } from "#shared/backups/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "GET /cloud-integration/security/backup",
  { query: BackupQuery, response: BackupResponse },
  async (req) => {
    const components = parseComponents(req.query.components, ["query", "components"]);
    const record = await createBackup(req.principal, {
      components,
      encrypt: req.query.encrypt,
      password: req.query.password,
    });
    req.audit({
      resource: `backup/${record.backupId}`,
      details: {
        backup_id: record.backupId,
        components,
        encrypted: record.encrypted,
        protection: record.protection,
        size: record.size,
        checksum: record.checksum,
      },
    });
    return backupView(record);
  },
);
