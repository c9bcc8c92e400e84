/** Records a training's outcome (progress item, lock); a failed training marks its model failed with the reason. */
import { endTraining, trainingResult } from "#shared/insights/models.ts";
import { defineFinish } from "#shared/workflows/engine.ts";

export const handler = defineFinish("insights-training", endTraining, trainingResult);
