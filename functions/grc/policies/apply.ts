/**
 * POST /api/security/policies/{id}/apply/ — applies the policy to the tenant's authentication
 * policy and audit retention, answering the diff (beyond spec; `dry_run` changes nothing).
 */
import { scopeOf } from "#shared/compliance/enterprises.ts";
import { applyPolicy } from "#shared/compliance/policies.ts";
import { IdPath, PolicyApply } from "#shared/compliance/schemas.ts";
import { PolicyApplyView } from "#shared/compliance/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "POST /api/security/policies/{id}/apply/",
  { path: IdPath, body: PolicyApply, response: PolicyApplyView },
  async (req) => {
    const scope = await scopeOf(req.principal);
    const r = await applyPolicy(scope, req.path.id, req.body?.dry_run ?? false);
    req.audit({
      resource: `policies/${r.policy_id}`,
      details: { id: r.policy_id, dry_run: r.dry_run, changes: r.changes },
    });
    return r;
  },
);
