/** DELETE /scan/schedule (beyond the spec) — ends the organization's weekly scan (404 when it has none). */
import { defineEndpoint, RawResponse } from "#shared/kit/endpoint.ts";
import { deleteScanSchedule } from "#shared/scans/scans.ts";

export const endpoint = defineEndpoint(
  "DELETE /cloud-integration/security/scan/schedule",
  { noContent: true },
  async (req) => {
    const removed = await deleteScanSchedule(req.principal.tenantId);
    req.audit({
      resource: "scans/schedule",
      details: { expression: removed.expression, next_run: removed.nextRun, created_by: removed.createdBy },
    });
    return new RawResponse(204, {}, "");
  },
);
