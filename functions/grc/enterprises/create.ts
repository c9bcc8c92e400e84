/** POST /api/security/enterprises/ — a new enterprise with its seeded hardening checklists (beyond spec). */
import { createEnterprise, scopeOf } from "#shared/compliance/enterprises.ts";
import { EnterpriseCreate } from "#shared/compliance/schemas.ts";
import { EnterpriseView, enterpriseView } from "#shared/compliance/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "POST /api/security/enterprises/",
  { body: EnterpriseCreate, response: EnterpriseView },
  async (req) => {
    const scope = await scopeOf(req.principal);
    const e = await createEnterprise(scope, req.body);
    req.audit({ resource: `enterprises/${e.id}`, details: { enterprise: e.id, name: req.body.name } });
    req.status(201);
    return enterpriseView(e);
  },
);
