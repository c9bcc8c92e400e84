/** POST /api/security/audits/{id}/start/ — starts a scheduled (or resumes an on-hold) audit. */
import { startAudit } from "#shared/compliance/audits.ts";
import { scopeOf } from "#shared/compliance/enterprises.ts";
import { IdPath } from "#shared/compliance/schemas.ts";
import { AuditView, auditView } from "#shared/compliance/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "POST /api/security/audits/{id}/start/",
  { path: IdPath, response: AuditView },
  async (req) => {
    const scope = await scopeOf(req.principal);
    const r = await startAudit(scope, req.path.id);
    req.audit({ resource: `audits/${r.id}`, details: { id: r.id, enterprise: r.enterprise, status: "in_progress" } });
    return auditView(r);
  },
);
