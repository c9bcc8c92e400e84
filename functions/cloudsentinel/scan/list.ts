/** GET /api/v1/scan/scans — the tenant's scans, newest first, filtered by status and provider, `skip`/`limit` paged. */
import { defineEndpoint } from "#shared/kit/endpoint.ts";
import { scansOf } from "#shared/posture/scans.ts";
import { ScanListQuery } from "#shared/posture/schemas.ts";
import { ScanListView, scanListItem } from "#shared/posture/views.ts";

export const endpoint = defineEndpoint(
  "GET /api/v1/scan/scans",
  { query: ScanListQuery, response: ScanListView },
  async (req) => {
    const { skip, limit, status, cloud_provider } = req.query;
    const scans = (await scansOf(req.principal.tenantId)).filter(
      (s) => (!status || s.status === status) && (!cloud_provider || s.provider === cloud_provider),
    );
    return { items: scans.slice(skip, skip + limit).map(scanListItem), total: scans.length, skip, limit };
  },
);
