/** POST /api/insights/models/{model_id}/predict — scores up to 1,000 rows with a trained model (cached per container). */

import { predict } from "#shared/insights/models.ts";
import { ModelPath, PredictBody } from "#shared/insights/schemas.ts";
import { PredictResponse, predictView } from "#shared/insights/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "POST /api/insights/models/{model_id}/predict",
  { path: ModelPath, body: PredictBody, response: PredictResponse },
  async (req) => predictView(await predict(req.principal.tenantId, req.path.model_id, req.body.data)),
);
