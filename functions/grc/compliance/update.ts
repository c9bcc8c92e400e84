/** PATCH /api/security/compliance/{id}/ — partial update of a compliance item. */
import { updateComplianceItem } from "#shared/compliance/compliance-items.ts";
import { scopeOf } from "#shared/compliance/enterprises.ts";
import { CompliancePatch, IdPath } from "#shared/compliance/schemas.ts";
import { ComplianceItemView, complianceItemView } from "#shared/compliance/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "PATCH /api/security/compliance/{id}/",
  { path: IdPath, body: CompliancePatch, response: ComplianceItemView },
  async (req) => {
    const scope = await scopeOf(req.principal);
    const { record, changes } = await updateComplianceItem(scope, req.path.id, req.body);
    req.audit({
      resource: `compliance/${record.id}`,
      details: { id: record.id, enterprise: record.enterprise, changes },
    });
    return complianceItemView(record);
  },
);
