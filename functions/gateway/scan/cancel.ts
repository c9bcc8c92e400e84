/** POST /scan/{scan_id}/cancel (beyond the spec) — a running scan stops before its next component and ends `cancelled`. */
import { defineEndpoint } from "#shared/kit/endpoint.ts";
import { cancelScan } from "#shared/scans/scans.ts";
import { ScanIdPath } from "#shared/scans/schemas.ts";
import { ScanCancelView, scanCancelView } from "#shared/scans/views.ts";

export const endpoint = defineEndpoint(
  "POST /cloud-integration/security/scan/{scan_id}/cancel",
  { path: ScanIdPath, response: ScanCancelView },
  async (req) => {
    const scan = await cancelScan(req.principal.tenantId, req.path.scan_id, req.principal.username);
    req.audit({ resource: `scans/${scan.scanId}`, details: { scan_id: scan.scanId } });
    return scanCancelView(scan);
  },
);
