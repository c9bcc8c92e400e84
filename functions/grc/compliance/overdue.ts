/** GET /api/security/compliance/overdue/ — items past their deadline and not completed. */
import { scopeOf } from "#shared/compliance/enterprises.ts";
import { overduePage } from "#shared/compliance/listings.ts";
import { ComplianceListQuery } from "#shared/compliance/schemas.ts";
import { ComplianceItemPage, complianceItemView, page } from "#shared/compliance/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "GET /api/security/compliance/overdue/",
  { query: ComplianceListQuery, response: ComplianceItemPage },
  async (req) => {
    const scope = await scopeOf(req.principal);
    return page(await overduePage(scope, req.query, req.route.path), complianceItemView);
  },
);
