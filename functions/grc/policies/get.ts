/** GET /api/security/policies/{id}/ — one security policy. */
import { scopeOf } from "#shared/compliance/enterprises.ts";
import { visibleRecord } from "#shared/compliance/records.ts";
import { IdPath } from "#shared/compliance/schemas.ts";
import { PolicyView, policyView } from "#shared/compliance/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "GET /api/security/policies/{id}/",
  { path: IdPath, response: PolicyView },
  async (req) => {
    const scope = await scopeOf(req.principal);
    return policyView(await visibleRecord(scope, "policy", req.path.id));
  },
);
