/** DELETE /api/security/audits/{id}/ — deletes a security audit (204). */
import { scopeOf } from "#shared/compliance/enterprises.ts";
import { removeRecord } from "#shared/compliance/records.ts";
import { IdPath } from "#shared/compliance/schemas.ts";
import { defineEndpoint, RawResponse } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "DELETE /api/security/audits/{id}/",
  { path: IdPath, noContent: true },
  async (req) => {
    const scope = await scopeOf(req.principal);
    const r = await removeRecord(scope, "audit", req.path.id);
    req.audit({ resource: `audits/${r.id}`, details: { id: r.id, enterprise: r.enterprise } });
    return new RawResponse(204, {}, "");
  },
);
