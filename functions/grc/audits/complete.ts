/** POST /api/security/audits/{id}/complete/ — completes an audit in progress with its findings. */
import { completeAudit } from "#shared/compliance/audits.ts";
import { scopeOf } from "#shared/compliance/enterprises.ts";
import { AuditComplete, IdPath } from "#shared/compliance/schemas.ts";
import { AuditView, auditView } from "#shared/compliance/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "POST /api/security/audits/{id}/complete/",
  { path: IdPath, body: AuditComplete, response: AuditView },
  async (req) => {
    const scope = await scopeOf(req.principal);
    const r = await completeAudit(scope, req.path.id, req.body);
    req.audit({
      resource: `audits/${r.id}`,
      details: { id: r.id, enterprise: r.enterprise, findings_count: req.body.findings_count },
    });
    return auditView(r);
  },
);
