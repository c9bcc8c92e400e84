/**
 * `GET /reports/export`: findings (`vulnerabilities`), alerts or a compliance report as JSON, CSV
 * (formula-safe: a cell starting with = + - @, a tab or a carriage return is prefixed with `'`,
 * OWASP's advice against CSV injection), PDF (pdfkit, standard Helvetica: summary then findings),
 * XLSX (exceljs), OCSF 1.3 Detection Finding JSON (class 2004) and SARIF 2.1.0 for code-scanning
 * tools. Findings come from the latest completed scan, or `filters.scan_id`.
 */
import { createHash } from "node:crypto";
import { Invalid, NotFound } from "#shared/kit/errors.ts";
import { alertsOf } from "./alerts.ts";
import { CHECKS_BY_ID } from "./checks/index.ts";
import type { AlertItem } from "./db/alerts.ts";
import type { ScanItem } from "./db/scans.ts";
import type { StoredFinding } from "./findings.ts";
import { complianceReport } from "./reports.ts";
import { findingsOf, scanOf, scansOf } from "./scans.ts";
import type { ExportFilters, ExportFormat, ReportType } from "./schemas.ts";

export interface ExportFile {
  contentType: string;
  filename: string;
  body: Buffer | string;
  count: number;
}

export const EXPORT_MEDIA = {
  "application/json": { description: "JSON: findings, alerts or the compliance report (format=json)" },
  "text/csv": { description: "CSV, formula-safe (format=csv)" },
  "application/pdf": { description: "PDF report: summary and findings (format=pdf)" },
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": { description: "XLSX (format=xlsx)" },
  "application/ocsf+json": { description: "OCSF 1.3.0 Detection Finding events, a JSON array (format=ocsf)" },
  "application/sarif+json": { description: "SARIF 2.1.0 log (format=sarif)" },
} as const;

const PRODUCT = { name: "Warden Cloudsentinel", vendor_name: "Warden", version: "1.0.0" };

/** Neutralises spreadsheet formulas: a cell that starts with = + - @, tab or CR is prefixed with `'`. */
export function csvSafe(value: unknown): string {
  let s = value === null || value === undefined ? "" : Array.isArray(value) ? value.join("; ") : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(columns: readonly string[], rows: readonly Record<string, unknown>[]): string {
  return `${[columns.join(","), ...rows.map((r) => columns.map((c) => csvSafe(r[c])).join(","))].join("\r\n")}\r\n`;
}

interface Table {
  title: string;
  columns: string[];
  rows: Record<string, unknown>[];
  summary: [string, string][];
}

const FINDING_COLUMNS = [
  "finding_id",
  "severity",
  "title",
  "resource_id",
  "resource_type",
  "service",
  "region",
  "risk_score",
  "compliance_violations",
  "description",
  "remediation",
];
const ALERT_COLUMNS = [
  "id",
  "status",
  "severity",
  "title",
  "resource_id",
  "service",
  "region",
  "risk_score",
  "created_at",
  "scan_id",
  "finding_id",
  "compliance_violations",
];

function findingRow(f: StoredFinding) {
  return { ...f, remediation: f.remediation.steps.join(" / ") };
}
function alertRow(a: AlertItem) {
  return {
    id: a.id,
    status: a.status,
    severity: a.severity,
    title: a.title,
    resource_id: a.resourceId,
    service: a.service,
    region: a.region,
    risk_score: a.riskScore,
    created_at: a.createdAt,
    scan_id: a.scanId,
    finding_id: a.checkId,
    compliance_violations: a.complianceViolations,
  };
}

async function scanFor(tenantId: string, filters: ExportFilters): Promise<ScanItem | undefined> {
  if (filters.scan_id) return scanOf(tenantId, filters.scan_id);
  return (await scansOf(tenantId)).find((s) => s.status === "completed");
}

async function failedFindings(tenantId: string, filters: ExportFilters) {
  const scan = await scanFor(tenantId, filters);
  if (!scan) throw new NotFound("No completed scan to export yet");
  const findings = (await findingsOf(tenantId, scan.id)).filter(
    (f) =>
      f.status === "FAIL" &&
      (!filters.severity || f.severity === filters.severity) &&
      (!filters.service || f.service === filters.service),
  );
  return { scan, findings };
}

async function filteredAlerts(tenantId: string, filters: ExportFilters) {
  return (await alertsOf(tenantId)).filter(
    (a) =>
      (!filters.severity || a.severity === filters.severity) &&
      (!filters.status || a.status === filters.status) &&
      (!filters.service || a.service === filters.service) &&
      (!filters.scan_id || a.scanId === filters.scan_id),
  );
}

// ── OCSF and SARIF ───────────────────────────────────────────────────────────────────────────

const OCSF_SEVERITY = { informational: 1, low: 2, medium: 3, high: 4, critical: 5 } as const;
const OCSF_STATUS = { open: 1, acknowledged: 2, suppressed: 3, resolved: 4 } as const;

function ocsfEvent(o: {
  uid: string;
  title: string;
  desc: string;
  severity: keyof typeof OCSF_SEVERITY;
  status: keyof typeof OCSF_STATUS;
  time: string;
  accountId: string | null;
  region: string;
  resourceId: string;
  resourceType: string;
  checkId: string;
  violations: string[];
  riskScore: number;
}) {
  const check = CHECKS_BY_ID.get(o.checkId);
  const severityId = OCSF_SEVERITY[o.severity];
  const statusId = OCSF_STATUS[o.status];
  return {
    class_uid: 2004,
    class_name: "Detection Finding",
    category_uid: 2,
    category_name: "Findings",
    activity_id: 1,
    activity_name: "Create",
    type_uid: 200401,
    type_name: "Detection Finding: Create",
    severity_id: severityId,
    severity: o.severity === "informational" ? "Informational" : o.severity[0]?.toUpperCase() + o.severity.slice(1),
    status_id: statusId,
    status: ["", "New", "In Progress", "Suppressed", "Resolved"][statusId],
    time: Date.parse(o.time),
    message: o.title,
    metadata: { version: "1.3.0", product: PRODUCT, uid: o.uid },
    finding_info: {
      uid: o.uid,
      title: o.title,
      desc: o.desc,
      created_time: Date.parse(o.time),
      types: [o.checkId],
      analytic: { uid: o.checkId, name: o.checkId, type_id: 1, type: "Rule" },
    },
    risk_score: Math.round(o.riskScore * 10),
    cloud: {
      provider: "AWS",
      region: o.region,
      account: o.accountId ? { uid: o.accountId, type_id: 10, type: "AWS Account" } : undefined,
    },
    resources: [{ uid: o.resourceId, type: o.resourceType, region: o.region, cloud_partition: "aws" }],
    remediation: check
      ? { desc: check.remediation.console, references: check.remediation.url ? [check.remediation.url] : [] }
      : undefined,
    unmapped: { compliance_violations: o.violations },
  };
}

const SARIF_LEVEL = {
  critical: "error",
  high: "error",
  medium: "warning",
  low: "note",
  informational: "note",
} as const;
const SECURITY_SEVERITY = { critical: "9.5", high: "7.5", medium: "5.0", low: "3.0", informational: "1.0" } as const;

function sarifLog(scan: ScanItem, findings: readonly StoredFinding[]) {
  const ruleIds = [...new Set(findings.map((f) => f.finding_id))].sort();
  const rules = ruleIds.map((id) => {
    const check = CHECKS_BY_ID.get(id);
    const f = findings.find((x) => x.finding_id === id);
    return {
      id,
      name: id.replace(/(^|_)(\w)/g, (_m, _u, c: string) => c.toUpperCase()),
      shortDescription: { text: check?.title ?? f?.title ?? id },
      fullDescription: { text: check?.risk ?? f?.title ?? id },
      help: {
        text: check ? `${check.remediation.console}\nCLI: ${check.remediation.cli}` : "",
        markdown: check ? `${check.remediation.console}\n\n\`\`\`\n${check.remediation.cli}\n\`\`\`` : "",
      },
      helpUri: check?.remediation.url,
      defaultConfiguration: { level: SARIF_LEVEL[f?.severity ?? "medium"] },
      properties: {
        tags: ["security", "cloud", ...(check?.categories ?? [])],
        "security-severity": SECURITY_SEVERITY[f?.severity ?? "medium"],
        precision: "very-high",
      },
    };
  });
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: { name: PRODUCT.name, version: PRODUCT.version, informationUri: "https://github.com/warden", rules },
        },
        automationDetails: { id: `cloudsentinel/${scan.accountId ?? "account"}/${scan.id}` },
        invocations: [{ executionSuccessful: scan.status === "completed", endTimeUtc: scan.completedAt ?? undefined }],
        results: findings.map((f) => ({
          ruleId: f.finding_id,
          ruleIndex: ruleIds.indexOf(f.finding_id),
          level: SARIF_LEVEL[f.severity],
          message: { text: `${f.title}: ${f.description}` },
          locations: [
            {
              physicalLocation: {
                artifactLocation: {
                  uri: `aws/${scan.accountId ?? "account"}/${f.region}/${f.service}/${encodeURIComponent(f.resource_id)}`,
                },
              },
              logicalLocations: [
                { name: f.resource_id, fullyQualifiedName: f.resource_arn ?? f.resource_id, kind: "resource" },
              ],
            },
          ],
          partialFingerprints: { "wardenFindingKey/v1": createHash("sha256").update(f.key).digest("hex") },
          properties: {
            severity: f.severity,
            risk_score: f.risk_score,
            compliance_violations: f.compliance_violations,
          },
        })),
      },
    ],
  };
}

// ── PDF and XLSX ─────────────────────────────────────────────────────────────────────────────

async function pdfOf(t: Table): Promise<Buffer> {
  const { default: PDFDocument } = await import("pdfkit");
  const doc = new PDFDocument({
    size: "A4",
    margin: 48,
    compress: false,
    info: { Title: t.title, Author: PRODUCT.name },
  });
  const chunks: Buffer[] = [];
  doc.on("data", (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on("end", () => resolve(Buffer.concat(chunks))));
  doc.font("Helvetica-Bold").fontSize(18).text(t.title);
  doc
    .moveDown(0.5)
    .font("Helvetica")
    .fontSize(9)
    .fillColor("#555")
    .text(`Generated ${new Date().toISOString()} by ${PRODUCT.name}`);
  doc.moveDown().fillColor("#000").font("Helvetica-Bold").fontSize(13).text("Summary");
  doc.font("Helvetica").fontSize(10);
  for (const [k, v] of t.summary) doc.text(`${k}: ${v}`);
  doc
    .moveDown()
    .font("Helvetica-Bold")
    .fontSize(13)
    .text(t.rows.length ? "Details" : "Details: none");
  for (const r of t.rows) {
    doc
      .moveDown(0.5)
      .font("Helvetica-Bold")
      .fontSize(10)
      .text(String(r.title ?? r.control_id ?? r.id));
    doc.font("Helvetica").fontSize(9);
    for (const c of t.columns) {
      if (c === "title") continue;
      const v = r[c];
      doc.text(`${c}: ${Array.isArray(v) ? v.join(", ") : String(v ?? "")}`);
    }
  }
  doc.end();
  return done;
}

async function xlsxOf(t: Table): Promise<Buffer> {
  const { default: ExcelJS } = await import("exceljs");
  const wb = new ExcelJS.Workbook();
  wb.creator = PRODUCT.name;
  const summary = wb.addWorksheet("Summary");
  summary.addRow([t.title]);
  for (const [k, v] of t.summary) summary.addRow([k, v]);
  const sheet = wb.addWorksheet("Details");
  sheet.addRow(t.columns);
  sheet.getRow(1).font = { bold: true };
  for (const r of t.rows) {
    // Strings as strings, numbers as numbers: exceljs writes no formula unless given one.
    sheet.addRow(
      t.columns.map((c) => {
        const v = r[c];
        return Array.isArray(v)
          ? v.join("; ")
          : typeof v === "number"
            ? v
            : v === null || v === undefined
              ? ""
              : String(v);
      }),
    );
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

// ── the export ───────────────────────────────────────────────────────────────────────────────

const stamp = () => new Date().toISOString().slice(0, 19).replace(/[:T]/g, "-");

export async function exportReport(
  tenantId: string,
  format: ExportFormat,
  reportType: ReportType,
  filters: ExportFilters = {},
): Promise<ExportFile> {
  const base = `cloudsentinel-${reportType}-${stamp()}`;
  if ((format === "ocsf" || format === "sarif") && reportType === "compliance") {
    throw new Invalid(`format: ${format} exports findings or alerts, not a compliance report`, [
      { loc: ["query", "format"], msg: `${format} needs report_type vulnerabilities or alerts`, type: "value_error" },
    ]);
  }
  if (format === "sarif" && reportType !== "vulnerabilities") {
    throw new Invalid("format: sarif exports findings (report_type=vulnerabilities)", [
      { loc: ["query", "format"], msg: "sarif needs report_type vulnerabilities", type: "value_error" },
    ]);
  }

  let table: Table;
  let json: unknown;
  if (reportType === "vulnerabilities") {
    const { scan, findings } = await failedFindings(tenantId, filters);
    if (format === "sarif") {
      return file(
        "application/sarif+json",
        `${base}.sarif`,
        JSON.stringify(sarifLog(scan, findings), null, 2),
        findings.length,
      );
    }
    if (format === "ocsf") {
      const events = findings.map((f) =>
        ocsfEvent({
          uid: createHash("sha256").update(f.key).digest("hex").slice(0, 32),
          title: f.title,
          desc: f.description,
          severity: f.severity,
          status: "open",
          time: scan.completedAt ?? scan.createdAt,
          accountId: scan.accountId,
          region: f.region,
          resourceId: f.resource_arn ?? f.resource_id,
          resourceType: f.resource_type,
          checkId: f.finding_id,
          violations: f.compliance_violations,
          riskScore: f.risk_score,
        }),
      );
      return file("application/ocsf+json", `${base}.ocsf.json`, JSON.stringify(events, null, 2), events.length);
    }
    json = { scan_id: scan.id, account_id: scan.accountId, findings };
    table = {
      title: `Cloud security findings — scan ${scan.id}`,
      columns: FINDING_COLUMNS,
      rows: findings.map(findingRow),
      summary: [
        ["Scan", scan.id],
        ["Account", scan.accountId ?? "-"],
        ["Completed", scan.completedAt ?? "-"],
        ["Security score (0-10)", String(scan.score ?? "-")],
        ["Resources evaluated", String(scan.totalResources)],
        ["Failed findings", String(findings.length)],
        ...Object.entries(scan.bySeverity).map(([k, v]): [string, string] => [`  ${k}`, String(v)]),
      ],
    };
  } else if (reportType === "alerts") {
    const alerts = await filteredAlerts(tenantId, filters);
    if (format === "ocsf") {
      const events = alerts.map((a) =>
        ocsfEvent({
          uid: `alert-${a.id}`,
          title: a.title,
          desc: a.description,
          severity: a.severity as keyof typeof OCSF_SEVERITY,
          status: a.status,
          time: a.createdAt,
          accountId: a.accountId,
          region: a.region,
          resourceId: a.resourceId,
          resourceType: a.resourceType,
          checkId: a.checkId,
          violations: a.complianceViolations,
          riskScore: a.riskScore,
        }),
      );
      return file("application/ocsf+json", `${base}.ocsf.json`, JSON.stringify(events, null, 2), events.length);
    }
    const rows = alerts.map(alertRow);
    json = { alerts: rows };
    const count = (s: string) => String(alerts.filter((a) => a.status === s).length);
    table = {
      title: "Cloud security alerts",
      columns: ALERT_COLUMNS,
      rows,
      summary: [
        ["Alerts", String(alerts.length)],
        ["Open", count("open")],
        ["Acknowledged", count("acknowledged")],
        ["Suppressed", count("suppressed")],
        ["Resolved", count("resolved")],
      ],
    };
  } else {
    const report = await complianceReport(tenantId, filters.framework ?? "cis");
    json = report;
    table = {
      title: `Compliance — ${report.framework_name}`,
      columns: ["control_id", "title", "status", "findings_count", "affected_resources", "checks"],
      rows: report.controls.map((c) => ({ ...c })),
      summary: [
        ["Framework", report.framework_name],
        ["Scan", report.scan_id ?? "-"],
        ["Compliance", `${report.compliance_percentage} %`],
        ["Controls passed", `${report.passed_controls} of ${report.total_controls}`],
      ],
    };
  }

  switch (format) {
    case "json":
      return file("application/json", `${base}.json`, JSON.stringify(json, null, 2), table.rows.length);
    case "csv":
      return file("text/csv; charset=utf-8", `${base}.csv`, toCsv(table.columns, table.rows), table.rows.length);
    case "pdf":
      return file("application/pdf", `${base}.pdf`, await pdfOf(table), table.rows.length);
    case "xlsx":
      return file(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        `${base}.xlsx`,
        await xlsxOf(table),
        table.rows.length,
      );
    default:
      throw new Invalid(`format: ${format} does not apply to ${reportType}`);
  }
}

function file(contentType: string, filename: string, body: Buffer | string, count: number): ExportFile {
  return { contentType, filename, body, count };
}
