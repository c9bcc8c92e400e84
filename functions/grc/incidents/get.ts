/** GET /api/security/incidents/{id}/ — one security incident. */
import { scopeOf } from "#shared/compliance/enterprises.ts";
import { visibleRecord } from "#shared/compliance/records.ts";
import { IdPath } from "#shared/compliance/schemas.ts";
import { IncidentView, incidentView } from "#shared/compliance/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "GET /api/security/incidents/{id}/",
  { path: IdPath, response: IncidentView },
  async (req) => {
    const scope = await scopeOf(req.principal);
    return incidentView(await visibleRecord(scope, "incident", req.path.id));
  },
);
