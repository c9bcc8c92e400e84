/** GET /api/security/audits/{id}/ — one security audit. */
import { scopeOf } from "#shared/compliance/enterprises.ts";
import { visibleRecord } from "#shared/compliance/records.ts";
import { IdPath } from "#shared/compliance/schemas.ts";
import { AuditView, auditView } from "#shared/compliance/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "GET /api/security/audits/{id}/",
  { path: IdPath, response: AuditView },
  async (req) => {
    const scope = await scopeOf(req.principal);
    return auditView(await visibleRecord(scope, "audit", req.path.id));
  },
);
