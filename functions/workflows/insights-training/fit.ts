/** Training step "Fitting model": reads the data, fits the forest, evaluates on held-out labels, stores the trees. */
import { fitModel } from "#shared/insights/models.ts";
import { defineTask } from "#shared/workflows/engine.ts";

export const handler = defineTask("insights-training", "functions/workflows/insights-training/fit.ts", fitModel);
