/** GET /api/security/frameworks/{id}/ — one framework. */
import { getFramework } from "#shared/compliance/frameworks.ts";
import { FrameworkPath } from "#shared/compliance/schemas.ts";
import { FrameworkView, frameworkView } from "#shared/compliance/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "GET /api/security/frameworks/{id}/",
  { path: FrameworkPath, response: FrameworkView },
  async (req) => {
    return frameworkView(getFramework(req.path.id));
  },
);
