/**
 * POST /api/security/scan (legacy, deprecated) — starts the gateway security scan (the same body
 * and rules as its successor, POST /cloud-integration/security/scan), answered in the securenet envelope.
 */
import { defineEndpoint } from "#shared/kit/endpoint.ts";
import { apiScanRequest, startScan } from "#shared/scans/scans.ts";
import { ScanBody } from "#shared/scans/schemas.ts";
import { ScanStartedView, scanStartedView } from "#shared/scans/views.ts";

export const endpoint = defineEndpoint(
  "POST /api/security/scan",
  { body: ScanBody, response: ScanStartedView },
  async (req) => {
    const out = await startScan(apiScanRequest(req.principal.tenantId, req.principal.username, req.body));
    req.audit({
      resource: `scans/${out.scan.scanId}`,
      details: { scan_id: out.scan.scanId, started: out.started, legacy_route: "POST /api/security/scan" },
    });
    return scanStartedView(out.scan, out.nextScanScheduled);
  },
);
