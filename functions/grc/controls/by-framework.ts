/** GET /api/security/controls/by_framework/ — the controls of one framework. */
import { scopeOf } from "#shared/compliance/enterprises.ts";
import { controlsByFrameworkPage } from "#shared/compliance/listings.ts";
import { ControlsByFrameworkQuery } from "#shared/compliance/schemas.ts";
import { ControlPage, controlView, page } from "#shared/compliance/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "GET /api/security/controls/by_framework/",
  { query: ControlsByFrameworkQuery, response: ControlPage },
  async (req) => {
    const scope = await scopeOf(req.principal);
    return page(await controlsByFrameworkPage(scope, req.query, req.route.path), controlView);
  },
);
