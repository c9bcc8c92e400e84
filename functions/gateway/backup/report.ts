/** GET /restore/report/{id} — the validation report of the latest restore of backup `id`. */
import { restoreReport } from "#shared/backups/backups.ts";
import { BackupIdPath } from "#shared/backups/schemas.ts";
import { RestoreReportResponse, restoreReportView } from "#shared/backups/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "GET /cloud-integration/security/restore/report/{id}",
  { path: BackupIdPath, response: RestoreReportResponse },
  async (req) => restoreReportView(await restoreReport(req.principal.tenantId, req.path.id)),
);
