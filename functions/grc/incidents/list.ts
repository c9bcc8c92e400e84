/** GET /api/security/incidents/ — security incidents, DRF-paged, filtered and ordered. */
import { scopeOf } from "#shared/compliance/enterprises.ts";
import { incidentsPage } from "#shared/compliance/listings.ts";
import { IncidentListQuery } from "#shared/compliance/schemas.ts";
import { IncidentPage, incidentView, page } from "#shared/compliance/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "GET /api/security/incidents/",
  { query: IncidentListQuery, response: IncidentPage },
  async (req) => {
    const scope = await scopeOf(req.principal);
    return page(await incidentsPage(scope, req.query, req.route.path), incidentView);
  },
);
