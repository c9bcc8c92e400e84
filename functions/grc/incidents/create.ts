/** POST /api/security/incidents/ — a new security incident. */
import { scopeOf } from "#shared/compliance/enterprises.ts";
import { createIncident } from "#shared/compliance/incidents.ts";
import { IncidentCreate } from "#shared/compliance/schemas.ts";
import { IncidentView, incidentView } from "#shared/compliance/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "POST /api/security/incidents/",
  { body: IncidentCreate, response: IncidentView },
  async (req) => {
    const scope = await scopeOf(req.principal);
    const r = await createIncident(scope, req.body, req.principal);
    req.audit({ resource: `incidents/${r.id}`, details: { id: r.id, enterprise: r.enterprise } });
    req.status(201);
    return incidentView(r);
  },
);
