/** GET /api/security/incidents/active/ — incidents not yet resolved. */
import { scopeOf } from "#shared/compliance/enterprises.ts";
import { activeIncidentsPage } from "#shared/compliance/listings.ts";
import { IncidentListQuery } from "#shared/compliance/schemas.ts";
import { IncidentPage, incidentView, page } from "#shared/compliance/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "GET /api/security/incidents/active/",
  { query: IncidentListQuery, response: IncidentPage },
  async (req) => {
    const scope = await scopeOf(req.principal);
    return page(await activeIncidentsPage(scope, req.query, req.route.path), incidentView);
  },
);
