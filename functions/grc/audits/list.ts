/** GET /api/security/audits/ — security audits, DRF-paged, filtered and ordered. */
import { scopeOf } from "#shared/compliance/enterprises.ts";
import { auditsPage } from "#shared/compliance/listings.ts";
import { AuditListQuery } from "#shared/compliance/schemas.ts";
import { AuditPage, auditView, page } from "#shared/compliance/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "GET /api/security/audits/",
  { query: AuditListQuery, response: AuditPage },
  async (req) => {
    const scope = await scopeOf(req.principal);
    return page(await auditsPage(scope, req.query, req.route.path), auditView);
  },
);
