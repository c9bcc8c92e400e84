/** GET /api/security/frameworks/ — the shipped framework catalogs. */
import { frameworksPage } from "#shared/compliance/listings.ts";
import { FrameworkListQuery } from "#shared/compliance/schemas.ts";
import { FrameworkPage, frameworkView, page } from "#shared/compliance/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "GET /api/security/frameworks/",
  { query: FrameworkListQuery, response: FrameworkPage },
  async (req) => {
    return page(frameworksPage(req.query, req.route.path), frameworkView);
  },
);
