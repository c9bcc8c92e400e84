/** GET /api/v1/reports/compliance?framework= — each mapped requirement passed or failed, with affected resources. */
import { defineEndpoint } from "#shared/kit/endpoint.ts";
import { complianceReport } from "#shared/posture/reports.ts";
import { ComplianceQuery } from "#shared/posture/schemas.ts";
import { ComplianceView } from "#shared/posture/views.ts";

export const endpoint = defineEndpoint(
  "GET /api/v1/reports/compliance",
  { query: ComplianceQuery, response: ComplianceView },
  async (req) => complianceReport(req.principal.tenantId, req.query.framework, req.query.cloud_provider),
);
