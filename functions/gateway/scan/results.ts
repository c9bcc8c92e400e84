/** GET /scan/results — a scan's results by `scan_id`, or the latest finished scan's (`latest`, the default). */
import { defineEndpoint } from "#shared/kit/endpoint.ts";
import { scanResults } from "#shared/scans/scans.ts";
import { ResultsQuery } from "#shared/scans/schemas.ts";
import { ScanResultsView, scanResultsView } from "#shared/scans/views.ts";

export const endpoint = defineEndpoint(
  "GET /cloud-integration/security/scan/results",
  { query: ResultsQuery, response: ScanResultsView },
  async (req) => {
    const out = await scanResults(req.principal.tenantId, { scanId: req.query.scan_id, latest: req.query.latest });
    return scanResultsView(out.scan, out.nextScanScheduled);
  },
);
