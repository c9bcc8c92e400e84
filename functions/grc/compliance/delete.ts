/** DELETE /api/security/compliance/{id}/ — deletes a compliance item (204). */
import { scopeOf } from "#shared/compliance/enterprises.ts";
import { removeRecord } from "#shared/compliance/records.ts";
import { IdPath } from "#shared/compliance/schemas.ts";
import { defineEndpoint, RawResponse } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "DELETE /api/security/compliance/{id}/",
  { path: IdPath, noContent: true },
  async (req) => {
    const scope = await scopeOf(req.principal);
    const r = await removeRecord(scope, "compliance", req.path.id);
    req.audit({ resource: `compliance/${r.id}`, details: { id: r.id, enterprise: r.enterprise } });
    return new RawResponse(204, {}, "");
  },
);
