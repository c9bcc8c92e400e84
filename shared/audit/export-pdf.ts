/**
 * The audit trail as a PDF (pdfkit, the standard Helvetica): its own module, so only the audit
 * export route's bundle carries pdfkit — other users of `exportAudit` (backups) export CSV/JSON.
 * pdfkit (~900 KB with its font metrics) is imported on first use: a chunk beside the bundle, not
 * compiled at every cold start of the route.
 */
import type { AuditRecord } from "#shared/audit/db/trail.ts";
import type { PdfWriter } from "./export.ts";

/** The PDF's standard font speaks WinAnsi; anything else is shown as "?" rather than as garbage. */
const latin1 = (s: string) => s.replace(/[^\x20-\x7e\xa0-\xff]/g, "?");

export const toPdf: PdfWriter = async (records: readonly AuditRecord[], meta) => {
  const { default: PDFDocument } = await import("pdfkit");
  const doc = new PDFDocument({ size: "A4", layout: "landscape", margin: 36, info: { Title: "Security audit log" } });
  const chunks: Buffer[] = [];
  doc.on("data", (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
  });
  doc.font("Helvetica-Bold").fontSize(16).text("Security audit log");
  doc
    .font("Helvetica")
    .fontSize(9)
    .text(`Organization: ${latin1(meta.tenantId)}`)
    .text(`Period: ${meta.startDate} to ${meta.endDate} (UTC)`)
    .text(`Generated: ${meta.generatedAt}`)
    .text(`Records: ${records.length}`)
    .moveDown();
  if (records.length === 0) doc.text("No audit records in this period.");
  for (const r of records) {
    doc
      .font("Helvetica-Bold")
      .fontSize(9)
      .text(latin1(`${r.timestamp}  ${r.event}  [${r.status}]  ${r.severity}`));
    doc
      .font("Helvetica")
      .fontSize(8)
      .text(
        latin1(
          `user: ${r.user}${r.api_key_id ? ` (API key ${r.api_key_id})` : ""}   ip: ${r.ip_address ?? "-"}   ` +
            `resource: ${r.resource}   id: ${r.id}`,
        ),
      );
    const details = JSON.stringify(r.details);
    doc.fillColor("#555555").text(latin1(details.length > 400 ? `${details.slice(0, 400)}...` : details));
    doc.fillColor("#000000").moveDown(0.4);
  }
  doc.end();
  return done;
};
