/** GET /api/security/enterprises/{id}/ — one enterprise (beyond spec). */
import { getEnterprise, scopeOf } from "#shared/compliance/enterprises.ts";
import { IdPath } from "#shared/compliance/schemas.ts";
import { EnterpriseView, enterpriseView } from "#shared/compliance/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "GET /api/security/enterprises/{id}/",
  { path: IdPath, response: EnterpriseView },
  async (req) => {
    const scope = await scopeOf(req.principal);
    return enterpriseView(await getEnterprise(scope, req.path.id));
  },
);
