/** PATCH /api/security/policies/{id}/ — partial update of a security policy. */
import { scopeOf } from "#shared/compliance/enterprises.ts";
import { updatePolicy } from "#shared/compliance/policies.ts";
import { IdPath, PolicyPatch } from "#shared/compliance/schemas.ts";
import { PolicyView, policyView } from "#shared/compliance/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "PATCH /api/security/policies/{id}/",
  { path: IdPath, body: PolicyPatch, response: PolicyView },
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
