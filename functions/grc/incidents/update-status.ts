/** POST /api/security/incidents/{id}/update_status/ — moves an incident along its lifecycle, with a timeline entry. */
import { scopeOf } from "#shared/compliance/enterprises.ts";
import { updateIncidentStatus } from "#shared/compliance/incidents.ts";
import { IdPath, IncidentStatusBody } from "#shared/compliance/schemas.ts";
import { IncidentView, incidentView } from "#shared/compliance/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "POST /api/security/incidents/{id}/update_status/",
  { path: IdPath, body: IncidentStatusBody, response: IncidentView },
  async (req) => {
    const scope = await scopeOf(req.principal);
    const r = await updateIncidentStatus(scope, req.path.id, req.body, req.principal);
    req.audit({
      resource: `incidents/${r.id}`,
      details: { id: r.id, enterprise: r.enterprise, status: req.body.status },
    });
    return incidentView(r);
  },
);
