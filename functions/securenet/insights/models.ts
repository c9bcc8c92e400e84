import { modelsOf } from "#shared/insights/models.ts";
import { ModelsResponse, modelsView } from "#shared/insights/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint("GET /api/insights/models", { response: ModelsResponse }, async (req) =>
  modelsView(await modelsOf(req.principal.tenantId)),
);
