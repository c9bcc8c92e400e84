/** GET /scan/progress/{scan_id} — where a scan is: component and check, done and left, issues so far, time. */
import { defineEndpoint } from "#shared/kit/endpoint.ts";
import { scanById } from "#shared/scans/scans.ts";
import { ScanIdPath } from "#shared/scans/schemas.ts";
import { ScanProgressView, scanProgressView } from "#shared/scans/views.ts";

export const endpoint = defineEndpoint(
  "GET /cloud-integration/security/scan/progress/{scan_id}",
  { path: ScanIdPath, response: ScanProgressView },
  async (req) => scanProgressView(await scanById(req.principal.tenantId, req.path.scan_id)),
);
