/** GET /api/security/compliance/ — compliance items, DRF-paged, filtered and ordered. */
import { scopeOf } from "#shared/compliance/enterprises.ts";
import { compliancePage } from "#shared/compliance/listings.ts";
import { ComplianceListQuery } from "#shared/compliance/schemas.ts";
import { ComplianceItemPage, complianceItemView, page } from "#shared/compliance/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "GET /api/security/compliance/",
  { query: ComplianceListQuery, response: ComplianceItemPage },
  async (req) => {
    const scope = await scopeOf(req.principal);
    return page(await compliancePage(scope, req.query, req.route.path), complianceItemView);
  },
);
