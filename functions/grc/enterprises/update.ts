/** PATCH /api/security/enterprises/{id}/ — renames or describes an enterprise (beyond spec). */
import { scopeOf, updateEnterprise } from "#shared/compliance/enterprises.ts";
import { EnterprisePatch, IdPath } from "#shared/compliance/schemas.ts";
import { EnterpriseView, enterpriseView } from "#shared/compliance/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "PATCH /api/security/enterprises/{id}/",
  { path: IdPath, body: EnterprisePatch, response: EnterpriseView },
  async (req) => {
    const scope = await scopeOf(req.principal);
    const { record, changes } = await updateEnterprise(scope, req.path.id, req.body);
    req.audit({ resource: `enterprises/${record.id}`, details: { enterprise: record.id, changes } });
    return enterpriseView(record);
  },
);
