/** PUT /api/security/incidents/{id}/ — full update of a security incident. */
import { scopeOf } from "#shared/compliance/enterprises.ts";
import { updateIncident } from "#shared/compliance/incidents.ts";
import { IdPath, IncidentPut } from "#shared/compliance/schemas.ts";
import { IncidentView, incidentView } from "#shared/compliance/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "PUT /api/security/incidents/{id}/",
  { path: IdPath, body: IncidentPut, response: IncidentView },
  async (req) => {
    const scope = await scopeOf(req.principal);
    const { record, changes } = await updateIncident(scope, req.path.id, req.body);
    req.audit({
      resource: `incidents/${record.id}`,
      details: { id: record.id, enterprise: record.enterprise, changes },
    });
    return incidentView(record);
  },
);
