/** POST /api/security/compliance/{id}/mark_completed/ — marks an item completed today. */
import { markCompleted } from "#shared/compliance/compliance-items.ts";
import { scopeOf } from "#shared/compliance/enterprises.ts";
import { IdPath } from "#shared/compliance/schemas.ts";
import { ComplianceItemView, complianceItemView } from "#shared/compliance/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "POST /api/security/compliance/{id}/mark_completed/",
  { path: IdPath, response: ComplianceItemView },
  async (req) => {
    const scope = await scopeOf(req.principal);
    const r = await markCompleted(scope, req.path.id);
    req.audit({ resource: `compliance/${r.id}`, details: { id: r.id, enterprise: r.enterprise } });
    return complianceItemView(r);
  },
);
