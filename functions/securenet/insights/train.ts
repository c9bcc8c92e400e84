/**
 * POST /api/insights/models/train — starts a training execution (workflow `insights-training`) and
 * answers 202 with its id and the new model's id; `GET /api/insights/models` shows its status.
 */

import { startTraining } from "#shared/insights/models.ts";
import { TrainBody } from "#shared/insights/schemas.ts";
import { TrainingStartedResponse, trainingStartedView } from "#shared/insights/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "POST /api/insights/models/train",
  { body: TrainBody, response: TrainingStartedResponse },
  async (req) => {
    const { model } = await startTraining(req.principal.tenantId, req.principal.username, {
      name: req.body.model_name,
      parameters: req.body.parameters,
      fileId: req.body.file_id,
    });
    req.audit({
      resource: `insights/model/${model.id}`,
      details: {
        model_id: model.id,
        model_name: model.name,
        training_session_id: model.trainingSessionId,
        source: model.source,
        parameters: model.parameters,
      },
    });
    req.status(202);
    return trainingStartedView(model);
  },
);
