/**
 * GET /reports/export after a real (demo) scan: each format read back by a parser — JSON parsed,
 * CSV by csv-parse (and formula-safe), XLSX re-read by exceljs, the PDF's text extracted (pdfkit
 * writes it uncompressed), OCSF validated against the Detection Finding schema and SARIF against
 * the SARIF 2.1.0 schema (test/fixtures/posture, their sources named there).
 */
import { resolve } from "node:path";
import { parse } from "csv-parse/sync";
import ExcelJS from "exceljs";
import { beforeAll, describe, expect, it } from "vitest";
import { createLocalRunner } from "#infra/local/workflows/runner-local.ts";
import { csvSafe, toCsv } from "#shared/posture/exports.ts";
import { useWorkflowRunner } from "#shared/workflows/engine.ts";
import { OcsfDetectionFinding } from "#test/fixtures/posture/ocsf-detection-finding-1.3.ts";
import { SarifLog } from "#test/fixtures/posture/sarif-2.1.0.ts";
import { call, freshIp, newTenant } from "#test/helpers/api.ts";

const runner = createLocalRunner({ root: resolve(import.meta.dirname, "../../..") });
useWorkflowRunner(runner);

type Tenant = Awaited<ReturnType<typeof newTenant>>;
const V1 = "/api/v1";
let t: Tenant;
let findings: any[];

beforeAll(async () => {
  t = await newTenant("cs-export");
  const res = await call("POST", `${V1}/scan/start`, {
    token: t.token,
    ip: freshIp(),
    body: { cloud_provider: "aws", credentials: { demo: true }, scan_config: { regions: ["us-east-1", "eu-west-1"] } },
  });
  await runner.settled(res.body.scan_id);
  findings = (await call("GET", `${V1}/scan/results/${res.body.scan_id}`, { token: t.token, query: { limit: "500" } }))
    .body.findings;
}, 120_000);

const exportAs = (query: Record<string, string>) => call("GET", `${V1}/reports/export`, { token: t.token, query });

/** The export's bytes, sent base64-encoded as binary media must be (`text` would decode them as UTF-8). */
async function binary(query: Record<string, string>): Promise<Buffer> {
  const res = await call("GET", `${V1}/reports/export`, { token: t.token, query, ip: freshIp() });
  expect(res.base64).toBe(true);
  return res.raw;
}

/** The text a PDF shows: pdfkit writes standard-font text as hex strings in TJ arrays. */
function pdfText(pdf: Buffer): string {
  const src = pdf.toString("latin1");
  return [...src.matchAll(/\[([^\]]*)\]\s*TJ/g)]
    .map((m) =>
      [...(m[1] ?? "").matchAll(/<([0-9a-fA-F]+)>/g)]
        .map((h) => Buffer.from(h[1] ?? "", "hex").toString("latin1"))
        .join(""),
    )
    .join("\n");
}

describe("export formats", () => {
  it("JSON: the failed findings of the latest scan", async () => {
    const res = await exportAs({ format: "json", report_type: "vulnerabilities" });
    expect(res.status).toBe(200);
    expect(res.headers["Content-Type"]).toBe("application/json");
    const body = JSON.parse(res.text);
    expect(body.findings).toHaveLength(findings.length);
  });

  it("CSV: one row per finding, parsed back, with the spec's columns", async () => {
    const res = await exportAs({
      format: "csv",
      report_type: "vulnerabilities",
      filters: JSON.stringify({ severity: "critical" }),
    });
    expect(res.headers["Content-Type"]).toMatch(/^text\/csv/);
    expect(res.headers["Content-Disposition"]).toMatch(/attachment; filename="cloudsentinel-vulnerabilities-.*\.csv"/);
    const rows = parse(res.text, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(findings.filter((f) => f.severity === "critical").length);
    expect(rows[0]).toMatchObject({ severity: "critical" });
    expect(Object.keys(rows[0] ?? {})).toEqual(
      expect.arrayContaining(["finding_id", "resource_id", "compliance_violations"]),
    );
  });

  it("CSV neutralises formulas: a leading = + - @, tab or CR never reaches a spreadsheet as a formula", () => {
    for (const hostile of ['=HYPERLINK("http://x")', "+1+1", "-2", "@SUM(A1)", "\tcmd", "\rcmd"]) {
      expect(csvSafe(hostile).replace(/^"/, "")).toMatch(/^'/);
    }
    expect(csvSafe("plain, text")).toBe('"plain, text"');
    const parsed = parse(toCsv(["a"], [{ a: "=1+2" }]), { columns: true }) as { a: string }[];
    expect(parsed[0]?.a).toBe("'=1+2");
  });

  it("XLSX: re-read by exceljs, a summary sheet and one row per alert", async () => {
    const res = await exportAs({ format: "xlsx", report_type: "alerts" });
    expect(res.headers["Content-Type"]).toBe("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await binary({ format: "xlsx", report_type: "alerts" })) as never);
    const details = wb.getWorksheet("Details");
    expect(details?.rowCount).toBe(findings.length + 1);
    expect(details?.getRow(1).getCell(1).value).toBe("id");
    expect(String(wb.getWorksheet("Summary")?.getRow(1).getCell(1).value)).toBe("Cloud security alerts");
  });

  it("PDF: a real report, its summary and findings in the extracted text", async () => {
    const res = await exportAs({ format: "pdf", report_type: "vulnerabilities" });
    expect(res.headers["Content-Type"]).toBe("application/pdf");
    const pdf = await binary({ format: "pdf", report_type: "vulnerabilities" });
    expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
    const text = pdfText(pdf);
    expect(text).toContain("Summary");
    expect(text).toContain("Security score (0-10)");
    expect(text).toContain("acme-public-assets");
    expect(text).toContain("kms_cmk_rotation_enabled");
  });

  it("OCSF: every event a valid Detection Finding", async () => {
    const res = await exportAs({ format: "ocsf", report_type: "vulnerabilities" });
    expect(res.headers["Content-Type"]).toBe("application/ocsf+json");
    const events = JSON.parse(res.text) as unknown[];
    expect(events).toHaveLength(findings.length);
    for (const e of events) OcsfDetectionFinding.parse(e);
    const critical = events.filter((e: any) => e.severity_id === 5);
    expect(critical).toHaveLength(findings.filter((f) => f.severity === "critical").length);
    const alerts = JSON.parse((await exportAs({ format: "ocsf", report_type: "alerts" })).text) as unknown[];
    for (const e of alerts) OcsfDetectionFinding.parse(e);
  });

  it("SARIF: a valid 2.1.0 log with one rule per check and one result per finding", async () => {
    const res = await exportAs({ format: "sarif", report_type: "vulnerabilities" });
    expect(res.headers["Content-Type"]).toBe("application/sarif+json");
    const log = SarifLog.parse(JSON.parse(res.text));
    const run = log.runs[0];
    expect(run?.results).toHaveLength(findings.length);
    expect(run?.tool.driver.rules?.map((r) => r.id).sort()).toEqual(
      [...new Set(findings.map((f) => f.finding_id))].sort(),
    );
    for (const r of run?.results ?? []) expect(run?.tool.driver.rules?.[r.ruleIndex ?? -1]?.id).toBe(r.ruleId);
  });

  it("compliance as CSV; refuses SARIF of a compliance report with 422 naming the field", async () => {
    const res = await exportAs({
      format: "csv",
      report_type: "compliance",
      filters: JSON.stringify({ framework: "cis" }),
    });
    const rows = parse(res.text, { columns: true }) as Record<string, string>[];
    expect(rows.some((r) => r.control_id === "CIS-1.5" && r.status === "failed")).toBe(true);
    const bad = await exportAs({ format: "sarif", report_type: "compliance" });
    expect(bad.status).toBe(422);
    expect(bad.body.detail[0].loc).toEqual(["query", "format"]);
    const badFilters = await exportAs({ format: "json", filters: "{not json" });
    expect(badFilters.status).toBe(422);
    expect(badFilters.body.detail[0].loc[1]).toBe("filters");
  });
});
