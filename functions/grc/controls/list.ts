/** GET /api/security/controls/ — security controls, DRF-paged, filtered and ordered. */
import { scopeOf } from "#shared/compliance/enterprises.ts";
import { controlsPage } from "#shared/compliance/listings.ts";
import { ControlListQuery } from "#shared/compliance/schemas.ts";
import { ControlPage, controlView, page } from "#shared/compliance/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "GET /api/security/controls/",
  { query: ControlListQuery, response: ControlPage },
  async (req) => {
    const scope = await scopeOf(req.principal);
    return page(await controlsPage(scope, req.query, req.route.path), controlView);
  },
);
