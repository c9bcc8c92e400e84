/**
 * Taking the audit trail out: exports (CSV, JSON, PDF) of a date range, and the clear that
 * archives and removes old records while keeping the chain verifiable.
 */
import { randomUUID } from "node:crypto";
import { gzipSync } from "node:zlib";
import {
  type AuditRecord,
  advanceAuditAnchor,
  deleteAuditRecords,
  getAuditHead,
  readAudit,
  writeAuditArchive,
} from "#shared/audit/db/trail.ts";
import { Invalid, PayloadTooLarge } from "#shared/kit/errors.ts";
import { type AuditFilters, matches } from "./query.ts";
import { auditLogView } from "./views.ts";

export const MAX_EXPORT_DAYS = 366;
/** Default export window when no start date is given: the 30 days ending on the end date. */
export const DEFAULT_EXPORT_DAYS = 30;
/** A Lambda response is at most 6 MB, base64 included: stay below it with room for headers. */
const MAX_TEXT_BYTES = 5_500_000;
const MAX_BINARY_BYTES = 4_000_000;

const DAY_MS = 86_400_000;
const isoDay = (d: Date) => d.toISOString().slice(0, 10);

function bad(field: string, msg: string): never {
  throw new Invalid(`query.${field}: ${msg}`, [{ loc: ["query", field], msg, type: "value_error" }]);
}

function parseDay(field: string, value: string): Date {
  const d = new Date(`${value}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(d.getTime()) || isoDay(d) !== value) {
    bad(field, "must be a date YYYY-MM-DD");
  }
  return d;
}

/** Inclusive whole UTC days; `to` is the end of the end day, or now if that is earlier. */
export function resolveDateRange(
  input: { startDate?: string; endDate?: string },
  now = new Date(),
  opts: { defaultDays?: number; maxDays?: number } = {},
): { from: Date; to: Date; startDate: string; endDate: string } {
  const maxDays = opts.maxDays ?? MAX_EXPORT_DAYS;
  const end = input.endDate ? parseDay("end_date", input.endDate) : new Date(`${isoDay(now)}T00:00:00Z`);
  const start = input.startDate
    ? parseDay("start_date", input.startDate)
    : new Date(end.getTime() - ((opts.defaultDays ?? DEFAULT_EXPORT_DAYS) - 1) * DAY_MS);
  if (end.getTime() < start.getTime()) bad("end_date", "must not be before start_date");
  const days = Math.round((end.getTime() - start.getTime()) / DAY_MS) + 1;
  if (days > maxDays) bad("start_date", `the range may span at most ${maxDays} days (asked for ${days})`);
  const endOfDay = new Date(end.getTime() + DAY_MS - 1);
  return {
    from: start,
    to: endOfDay.getTime() > now.getTime() ? now : endOfDay,
    startDate: isoDay(start),
    endDate: isoDay(end),
  };
}

export type ExportFormat = "csv" | "json" | "pdf";

export interface ExportFile {
  contentType: string;
  filename: string;
  body: string | Buffer;
  count: number;
}

const CSV_HEADER = ["timestamp", "user", "event", "resource", "ip_address", "status", "details"];

/**
 * RFC 4180 quoting (a field with a comma, quote or line break is quoted, quotes doubled), and a
 * leading `'` on text a spreadsheet would run as a formula (`=`, `+`, `-`, `@`): an exported
 * username or resource must never become code in the reader's spreadsheet.
 */
export function csvField(value: unknown): string {
  let text = value === null || value === undefined ? "" : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(records: readonly AuditRecord[]): string {
  const lines = [CSV_HEADER.join(",")];
  for (const r of records) {
    // `details` is the record's details object as compact JSON: lossless, and one field.
    const row = [r.timestamp, r.user, r.event, r.resource, r.ip_address, r.status, JSON.stringify(r.details)];
    lines.push(row.map(csvField).join(","));
  }
  return `${lines.join("\r\n")}\r\n`;
}

/** Renders records as a PDF (shared/audit/export-pdf.ts: kept apart so only the export route loads pdfkit). */
export type PdfWriter = (
  records: readonly AuditRecord[],
  meta: { tenantId: string; startDate: string; endDate: string; generatedAt: string },
) => Promise<Buffer>;

export async function exportAudit(
  tenantId: string,
  q: AuditFilters & { format: ExportFormat; startDate?: string; endDate?: string },
  now = new Date(),
  writePdf?: PdfWriter,
): Promise<ExportFile> {
  const range = resolveDateRange(q, now);
  const records = (await readAudit(tenantId, range.from, range.to)).filter((r) => matches(r, q));
  const filename = `audit_log_${range.endDate.replace(/-/g, "")}.${q.format}`;
  let file: ExportFile;
  if (q.format === "csv") {
    file = { contentType: "text/csv; charset=utf-8", filename, body: toCsv(records), count: records.length };
  } else if (q.format === "json") {
    const body = JSON.stringify({
      export: {
        start_date: range.startDate,
        end_date: range.endDate,
        generated_at: now.toISOString(),
        count: records.length,
      },
      logs: records.map(auditLogView),
    });
    file = { contentType: "application/json; charset=utf-8", filename, body, count: records.length };
  } else {
    if (!writePdf) throw new Error("a PDF export needs the PDF writer (shared/audit/export-pdf.ts)");
    const body = await writePdf(records, {
      tenantId,
      startDate: range.startDate,
      endDate: range.endDate,
      generatedAt: now.toISOString(),
    });
    file = { contentType: "application/pdf", filename, body, count: records.length };
  }
  const size = typeof file.body === "string" ? Buffer.byteLength(file.body) : file.body.length;
  if (size > (typeof file.body === "string" ? MAX_TEXT_BYTES : MAX_BINARY_BYTES)) {
    throw new PayloadTooLarge(
      `query.start_date: ${records.length} records are too many for one file; export a shorter range`,
    );
  }
  return file;
}

type LinkedRecord = AuditRecord & { seq: number; chainHash: string };

export interface ClearResult {
  deletedCount: number;
  archivedCount: number;
  retainedCount: number;
  archiveFile: string | null;
}

/** Archive ids read as `audit-archive://<id>`: the archive lives in the table, not on a filesystem. */
export const archiveUri = (id: string) => `audit-archive://${id}`;

/**
 * Removes records older than `olderThanDays` days. Only an unbroken prefix of the chain is
 * removed, so what remains verifies from the new anchor. With `archive`, the removed records are
 * first stored as a gzip JSON-lines archive (full records, hashes included, so the archive
 * verifies on its own).
 */
export async function clearAudit(
  tenantId: string,
  input: { olderThanDays: number; archive: boolean; reason?: string },
  now = new Date(),
): Promise<ClearResult> {
  const head = await getAuditHead(tenantId);
  if (!head) return { deletedCount: 0, archivedCount: 0, retainedCount: 0, archiveFile: null };
  const anchorSeq = head.archivedThrough?.seq ?? 0;
  const cutoff = new Date(now.getTime() - input.olderThanDays * DAY_MS);
  const startDay = head.archivedThrough?.day ?? head.firstDay;
  // Only linked records can be cleared (the anchor is a chain position); the linker links within
  // seconds, so every record older than a day is linked unless the linker is failing.
  const old = (await readAudit(tenantId, new Date(`${startDay}T00:00:00Z`), cutoff))
    .filter((r): r is LinkedRecord => r.timestamp < cutoff.toISOString() && r.seq !== undefined && !!r.chainHash)
    .sort((a, b) => a.seq - b.seq);
  // Leftovers of an interrupted clear (already covered by the anchor, already archived).
  const leftovers = old.filter((r) => r.seq <= anchorSeq);
  const prefix: LinkedRecord[] = [];
  for (const r of old) {
    if (r.seq <= anchorSeq) continue;
    if (r.seq !== anchorSeq + prefix.length + 1) break;
    prefix.push(r);
  }
  let archiveFile: string | null = null;
  const last = prefix.at(-1);
  const first = prefix[0];
  if (last && first) {
    if (input.archive) {
      const id = `${isoDay(now).replace(/-/g, "")}-${randomUUID().slice(0, 8)}`;
      const jsonl = prefix.map((r) => JSON.stringify(r)).join("\n");
      await writeAuditArchive(tenantId, id, gzipSync(jsonl), {
        createdAt: now.toISOString(),
        count: prefix.length,
        firstSeq: first.seq,
        lastSeq: last.seq,
        firstTimestamp: first.timestamp,
        lastTimestamp: last.timestamp,
        reason: input.reason ?? null,
      });
      archiveFile = archiveUri(id);
    }
    await advanceAuditAnchor(tenantId, { seq: last.seq, hash: last.chainHash, day: last.timestamp.slice(0, 10) });
  }
  await deleteAuditRecords(tenantId, [...leftovers, ...prefix]);
  return {
    deletedCount: prefix.length,
    archivedCount: input.archive ? prefix.length : 0,
    retainedCount: head.seq - (last?.seq ?? anchorSeq),
    archiveFile,
  };
}
