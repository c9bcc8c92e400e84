import { clearAudit } from "#shared/audit/export.ts";
import { AuditClearBody } from "#shared/audit/schemas.ts";
import { AuditClearResponse, auditClearView } from "#shared/audit/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";
import { Invalid } from "#shared/kit/errors.ts";

export const endpoint = defineEndpoint(
  "POST /cloud-integration/security/audit/clear",
  { body: AuditClearBody, response: AuditClearResponse },
  async (req) => {
    if (req.body.confirm !== true) {
      throw new Invalid("body.confirm: must be true to clear audit records", [
        { loc: ["body", "confirm"], msg: "must be true to clear audit records", type: "value_error" },
      ]);
    }
    const result = await clearAudit(req.principal.tenantId, {
      olderThanDays: req.body.older_than_days,
      archive: req.body.archive_before_delete,
      reason: req.body.reason,
    });
    req.audit({
      resource: "audit/clear",
      severity: "warning",
      details: {
        older_than_days: req.body.older_than_days,
        deleted_count: result.deletedCount,
        archived_count: result.archivedCount,
        archive_file: result.archiveFile,
        reason: req.body.reason ?? null,
      },
    });
    return auditClearView(result);
  },
);
