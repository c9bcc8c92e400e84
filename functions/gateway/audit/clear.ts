import * as z from "zod/mini";
import { clearAudit } from "#shared/audit/export.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";
import { Invalid } from "#shared/kit/errors.ts";

const body = z.strictObject({
  older_than_days: z.int().check(z.gte(1), z.lte(36_500)),
  confirm: z.boolean(),
  archive_before_delete: z._default(z.boolean(), true),
  reason: z.optional(z.string().check(z.trim(), z.maxLength(500))),
});

export const endpoint = defineEndpoint("POST /cloud-integration/security/audit/clear", { body }, async (req) => {
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
  return {
    status: "cleared",
    deleted_count: result.deletedCount,
    archived_count: result.archivedCount,
    retained_count: result.retainedCount,
    archive_file: result.archiveFile,
    message: result.deletedCount ? "Audit logs cleared successfully" : "No audit records older than the cutoff",
  };
});
