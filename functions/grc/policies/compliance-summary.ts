/** GET /api/security/policies/{id}/compliance_summary/ — what the policy enforces, per area, and under which frameworks. */
import { scopeOf } from "#shared/compliance/enterprises.ts";
import { complianceSummary } from "#shared/compliance/policies.ts";
import { visibleRecord } from "#shared/compliance/records.ts";
import { IdPath } from "#shared/compliance/schemas.ts";
import { ComplianceSummaryView } from "#shared/compliance/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "GET /api/security/policies/{id}/compliance_summary/",
  { path: IdPath, response: ComplianceSummaryView },
  async (req) => {
    const scope = await scopeOf(req.principal);
    return complianceSummary(await visibleRecord(scope, "policy", req.path.id));
  },
);
