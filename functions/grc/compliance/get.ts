/** GET /api/security/compliance/{id}/ — one compliance item. */
import { scopeOf } from "#shared/compliance/enterprises.ts";
import { visibleRecord } from "#shared/compliance/records.ts";
import { IdPath } from "#shared/compliance/schemas.ts";
import { ComplianceItemView, complianceItemView } from "#shared/compliance/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "GET /api/security/compliance/{id}/",
  { path: IdPath, response: ComplianceItemView },
  async (req) => {
    const scope = await scopeOf(req.principal);
    return complianceItemView(await visibleRecord(scope, "compliance", req.path.id));
  },
);
