/** GET /api/security/audits/upcoming/ — scheduled audits within the next `days` (default 30). */
import { scopeOf } from "#shared/compliance/enterprises.ts";
import { upcomingAuditsPage } from "#shared/compliance/listings.ts";
import { UpcomingQuery } from "#shared/compliance/schemas.ts";
import { AuditPage, auditView, page } from "#shared/compliance/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "GET /api/security/audits/upcoming/",
  { query: UpcomingQuery, response: AuditPage },
  async (req) => {
    const scope = await scopeOf(req.principal);
    return page(await upcomingAuditsPage(scope, req.query, req.route.path), auditView);
  },
);
