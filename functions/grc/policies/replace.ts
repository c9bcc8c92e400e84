/** PUT /api/security/policies/{id}/ — full update of a security policy. */
import { scopeOf } from "#shared/compliance/enterprises.ts";
import { updatePolicy } from "#shared/compliance/policies.ts";
import { IdPath, PolicyPut } from "#shared/compliance/schemas.ts";
import { PolicyView, policyView } from "#shared/compliance/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "PUT /api/security/policies/{id}/",
  { path: IdPath, body: PolicyPut, response: PolicyView },
  async (req) => {
    const scope = await scopeOf(req.principal);
    const { record, changes } = await updatePolicy(scope, req.path.id, req.body);
    req.audit({
      resource: `policies/${record.id}`,
      details: { id: record.id, enterprise: record.enterprise, changes },
    });
    return policyView(record);
  },
);
