/**
 * POST /scan — starts a gateway security scan on the workflow engine and answers where to follow
 * it (`progress_url`); 409 while another scan of the organization runs; a retry with the same
 * `client_token` answers the scan it started. `schedule: true` also makes the scan weekly.
 */
import { defineEndpoint } from "#shared/kit/endpoint.ts";
import { apiScanRequest, startScan } from "#shared/scans/scans.ts";
import { ScanBody } from "#shared/scans/schemas.ts";
import { ScanStartedView, scanStartedView } from "#shared/scans/views.ts";

export const endpoint = defineEndpoint(
  "POST /cloud-integration/security/scan",
  { body: ScanBody, response: ScanStartedView },
  async (req) => {
    const out = await startScan(apiScanRequest(req.principal.tenantId, req.principal.username, req.body));
    req.audit({
      resource: `scans/${out.scan.scanId}`,
      details: {
        scan_id: out.scan.scanId,
        started: out.started,
        scan_type: out.scan.scanType,
        depth: out.scan.depth,
        components: out.scan.components,
        schedule: req.body.schedule,
      },
    });
    return scanStartedView(out.scan, out.nextScanScheduled);
  },
);
