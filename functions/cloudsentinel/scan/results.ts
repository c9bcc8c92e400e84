/** GET /api/v1/scan/results/{scan_id} — the scan's failed findings, highest risk first, filtered and paged. */
import { defineEndpoint } from "#shared/kit/endpoint.ts";
import { findingsOf, scanOf } from "#shared/posture/scans.ts";
import { ScanPath, ScanResultsQuery } from "#shared/posture/schemas.ts";
import { ScanResultsView, scanResultsView } from "#shared/posture/views.ts";

export const endpoint = defineEndpoint(
  "GET /api/v1/scan/results/{scan_id}",
  { path: ScanPath, query: ScanResultsQuery, response: ScanResultsView },
  async (req) => {
    const scan = await scanOf(req.principal.tenantId, req.path.scan_id);
    const { severity, service, skip, limit } = req.query;
    const findings = (await findingsOf(req.principal.tenantId, scan.id))
      .filter(
        (f) => f.status === "FAIL" && (!severity || f.severity === severity) && (!service || f.service === service),
      )
      .sort(
        (a, b) =>
          b.risk_score - a.risk_score ||
          a.finding_id.localeCompare(b.finding_id) ||
          a.resource_id.localeCompare(b.resource_id),
      );
    return scanResultsView(scan, findings.slice(skip, skip + limit), findings.length, skip, limit);
  },
);
