/** GET /api/security/enterprises/ — the enterprises the caller may see (beyond spec). */
import { scopeOf } from "#shared/compliance/enterprises.ts";
import { enterprisesPage } from "#shared/compliance/listings.ts";
import { EnterpriseListQuery } from "#shared/compliance/schemas.ts";
import { EnterprisePage, enterpriseView, page } from "#shared/compliance/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "GET /api/security/enterprises/",
  { query: EnterpriseListQuery, response: EnterprisePage },
  async (req) => {
    const scope = await scopeOf(req.principal);
    return page(enterprisesPage(scope, req.query, req.route.path), enterpriseView);
  },
);
