/** GET /api/security/policies/ — security policys, DRF-paged, filtered and ordered. */
import { scopeOf } from "#shared/compliance/enterprises.ts";
import { policiesPage } from "#shared/compliance/listings.ts";
import { PolicyListQuery } from "#shared/compliance/schemas.ts";
import { PolicyPage, page, policyView } from "#shared/compliance/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "GET /api/security/policies/",
  { query: PolicyListQuery, response: PolicyPage },
  async (req) => {
    const scope = await scopeOf(req.principal);
    return page(await policiesPage(scope, req.query, req.route.path), policyView);
  },
);
