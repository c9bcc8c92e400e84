/** POST /api/security/audits/ — a new security audit. */
import { createAudit } from "#shared/compliance/audits.ts";
import { scopeOf } from "#shared/compliance/enterprises.ts";
import { AuditCreate } from "#shared/compliance/schemas.ts";
import { AuditView, auditView } from "#shared/compliance/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "POST /api/security/audits/",
  { body: AuditCreate, response: AuditView },
  async (req) => {
    const scope = await scopeOf(req.principal);
    const r = await createAudit(scope, req.body);
    req.audit({ resource: `audits/${r.id}`, details: { id: r.id, enterprise: r.enterprise } });
    req.status(201);
    return auditView(r);
  },
);
