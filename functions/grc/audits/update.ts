/** PATCH /api/security/audits/{id}/ — partial update of a security audit. */
import { updateAudit } from "#shared/compliance/audits.ts";
import { scopeOf } from "#shared/compliance/enterprises.ts";
import { AuditPatch, IdPath } from "#shared/compliance/schemas.ts";
import { AuditView, auditView } from "#shared/compliance/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "PATCH /api/security/audits/{id}/",
  { path: IdPath, body: AuditPatch, response: AuditView },
  async (req) => {
    const scope = await scopeOf(req.principal);
    const { record, changes } = await updateAudit(scope, req.path.id, req.body);
    req.audit({ resource: `audits/${record.id}`, details: { id: record.id, enterprise: record.enterprise, changes } });
    return auditView(record);
  },
);
