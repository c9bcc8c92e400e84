/** GET /api/security/frameworks/{id}/requirements/ — the framework's requirement tree with cross-framework mappings (beyond spec). */
import { frameworkRequirements } from "#shared/compliance/frameworks.ts";
import { FrameworkPath } from "#shared/compliance/schemas.ts";
import { FrameworkRequirementsView, frameworkRequirementsView } from "#shared/compliance/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "GET /api/security/frameworks/{id}/requirements/",
  { path: FrameworkPath, response: FrameworkRequirementsView },
  async (req) => {
    return frameworkRequirementsView(await frameworkRequirements(req.path.id));
  },
);
