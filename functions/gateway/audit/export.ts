import { exportAudit } from "#shared/audit/export.ts";
import { toPdf } from "#shared/audit/export-pdf.ts";
import { AuditExportQuery } from "#shared/audit/schemas.ts";
import { AUDIT_EXPORT_MEDIA } from "#shared/audit/views.ts";
import { defineEndpoint, RawResponse } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "GET /cloud-integration/security/audit/export",
  { query: AuditExportQuery, produces: AUDIT_EXPORT_MEDIA },
  async (req) => {
    const file = await exportAudit(
      req.principal.tenantId,
      {
        format: req.query.format,
        startDate: req.query.start_date,
        endDate: req.query.end_date,
        eventType: req.query.event_type,
        username: req.query.username,
      },
      new Date(),
      toPdf,
    );
    req.audit({
      resource: "audit/export",
      details: { format: req.query.format, records: file.count, filename: file.filename, filters: req.query },
    });
    return new RawResponse(
      200,
      {
        "Content-Type": file.contentType,
        "Content-Disposition": `attachment; filename="${file.filename}"`,
        "Cache-Control": "no-store",
      },
      file.body,
    );
  },
);
