import * as z from "zod/mini";
import { exportAudit } from "#shared/audit/export.ts";
import { defineEndpoint, RawResponse } from "#shared/kit/endpoint.ts";

const text = z.string().check(z.trim(), z.minLength(1), z.maxLength(256));
const query = z.strictObject({
  format: z._default(z.enum(["csv", "json", "pdf"]), "csv"),
  start_date: z.optional(z.string()),
  end_date: z.optional(z.string()),
  event_type: z.optional(text),
  username: z.optional(text),
});

export const endpoint = defineEndpoint("GET /cloud-integration/security/audit/export", { query }, async (req) => {
  const file = await exportAudit(req.principal.tenantId, {
    format: req.query.format,
    startDate: req.query.start_date,
    endDate: req.query.end_date,
    eventType: req.query.event_type,
    username: req.query.username,
  });
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
});
