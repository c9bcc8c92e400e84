/** POST /api/security/policies/ — a new security policy. */
import { scopeOf } from "#shared/compliance/enterprises.ts";
import { createPolicy } from "#shared/compliance/policies.ts";
import { PolicyCreate } from "#shared/compliance/schemas.ts";
import { PolicyView, policyView } from "#shared/compliance/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "POST /api/security/policies/",
  { body: PolicyCreate, response: PolicyView },
  async (req) => {
    const scope = await scopeOf(req.principal);
    const r = await createPolicy(scope, req.body);
    req.audit({ resource: `policies/${r.id}`, details: { id: r.id, enterprise: r.enterprise } });
    req.status(201);
    return policyView(r);
  },
);
