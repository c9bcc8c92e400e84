/** GET /api/security/checklists/ — hardening checklists, DRF-paged, filtered and ordered. */
import { scopeOf } from "#shared/compliance/enterprises.ts";
import { checklistsPage } from "#shared/compliance/listings.ts";
import { ChecklistListQuery } from "#shared/compliance/schemas.ts";
import { ChecklistPage, checklistView, page } from "#shared/compliance/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "GET /api/security/checklists/",
  { query: ChecklistListQuery, response: ChecklistPage },
  async (req) => {
    const scope = await scopeOf(req.principal);
    return page(await checklistsPage(scope, req.query, req.route.path), checklistView);
  },
);
