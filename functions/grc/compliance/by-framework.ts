/** GET /api/security/compliance/by_framework/ — progress on one framework's items. */
import { scopeOf } from "#shared/compliance/enterprises.ts";
import { complianceByFramework } from "#shared/compliance/listings.ts";
import { ComplianceByFrameworkQuery } from "#shared/compliance/schemas.ts";
import { ComplianceByFrameworkView, complianceItemView } from "#shared/compliance/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "GET /api/security/compliance/by_framework/",
  { query: ComplianceByFrameworkQuery, response: ComplianceByFrameworkView },
  async (req) => {
    const scope = await scopeOf(req.principal);
    const r = await complianceByFramework(scope, req.query);
    return { ...r, items: r.items.map(complianceItemView) };
  },
);
