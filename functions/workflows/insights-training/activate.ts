/** Training step "Activating model": the new model scores ingested metrics; the previous one becomes inactive. */
import { activateModel } from "#shared/insights/models.ts";
import { defineTask } from "#shared/workflows/engine.ts";

export const handler = defineTask(
  "insights-training",
  "functions/workflows/insights-training/activate.ts",
  activateModel,
);
