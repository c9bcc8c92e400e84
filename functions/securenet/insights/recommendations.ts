/** GET /api/insights/recommendations — one recommendation per finding of the last 7 days, citing its records. */
import { recommend } from "#shared/insights/reports.ts";
import { RecommendationsResponse, recommendationsView } from "#shared/insights/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "GET /api/insights/recommendations",
  { response: RecommendationsResponse },
  async (req) => recommendationsView(await recommend(req.principal.tenantId)),
);
