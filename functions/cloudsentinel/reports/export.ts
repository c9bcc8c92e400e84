/** GET /api/v1/reports/export — findings, alerts or compliance as JSON, CSV, PDF, XLSX, OCSF or SARIF. */
import { defineEndpoint, RawResponse } from "#shared/kit/endpoint.ts";
import { EXPORT_MEDIA, exportReport } from "#shared/posture/exports.ts";
import { ExportQuery } from "#shared/posture/schemas.ts";

export const endpoint = defineEndpoint(
  "GET /api/v1/reports/export",
  { query: ExportQuery, produces: EXPORT_MEDIA },
  async (req) => {
    const file = await exportReport(req.principal.tenantId, req.query.format, req.query.report_type, req.query.filters);
    req.audit({
      resource: "reports/export",
      details: {
        format: req.query.format,
        report_type: req.query.report_type,
        rows: file.count,
        filename: file.filename,
      },
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
