/** GET /api/security/frameworks/by_name/ — the framework a name means ("nist" is the CSF). */
import { getFramework } from "#shared/compliance/frameworks.ts";
import { ByNameQuery } from "#shared/compliance/schemas.ts";
import { FrameworkView, frameworkView } from "#shared/compliance/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "GET /api/security/frameworks/by_name/",
  { query: ByNameQuery, response: FrameworkView },
  async (req) => {
    return frameworkView(getFramework(req.query.name));
  },
);
