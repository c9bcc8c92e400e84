/**
 * POST /api/v1/scan/start — starts a scan (the cloud-scan state machine) and answers at once with
 * its id. Access keys are sealed for the scan's duration only and never answered or logged; the
 * audit record names the credential type, never a key.
 */
import { defineEndpoint } from "#shared/kit/endpoint.ts";
import { startScan } from "#shared/posture/scans.ts";
import { StartScanBody } from "#shared/posture/schemas.ts";
import { ScanStartedView, scanStartedView } from "#shared/posture/views.ts";

export const endpoint = defineEndpoint(
  "POST /api/v1/scan/start",
  { body: StartScanBody, response: ScanStartedView },
  async (req) => {
    const { scan, estimatedDuration } = await startScan(req.principal.tenantId, req.body, req.principal.username);
    req.audit({
      resource: `scans/${scan.id}`,
      details: {
        scan_id: scan.id,
        cloud_provider: scan.provider,
        credential_type: scan.credentialMode,
        services: scan.services,
        regions: scan.regions,
      },
    });
    return scanStartedView(scan, estimatedDuration);
  },
);
