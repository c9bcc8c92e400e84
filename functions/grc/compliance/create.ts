/** POST /api/security/compliance/ — a new compliance item. */
import { createComplianceItem } from "#shared/compliance/compliance-items.ts";
import { scopeOf } from "#shared/compliance/enterprises.ts";
import { ComplianceCreate } from "#shared/compliance/schemas.ts";
import { ComplianceItemView, complianceItemView } from "#shared/compliance/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "POST /api/security/compliance/",
  { body: ComplianceCreate, response: ComplianceItemView },
  async (req) => {
    const scope = await scopeOf(req.principal);
    const r = await createComplianceItem(scope, req.body);
    req.audit({ resource: `compliance/${r.id}`, details: { id: r.id, enterprise: r.enterprise } });
    req.status(201);
    return complianceItemView(r);
  },
);
