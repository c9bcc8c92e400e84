/** GET /api/v1/scan/status/{scan_id} — progress from the scan's own item (never DescribeExecution). */
import { defineEndpoint } from "#shared/kit/endpoint.ts";
import { scanOf } from "#shared/posture/scans.ts";
import { ScanPath } from "#shared/posture/schemas.ts";
import { ScanStatusView, scanStatusView } from "#shared/posture/views.ts";

export const endpoint = defineEndpoint(
  "GET /api/v1/scan/status/{scan_id}",
  { path: ScanPath, response: ScanStatusView },
  async (req) => scanStatusView(await scanOf(req.principal.tenantId, req.path.scan_id)),
);
