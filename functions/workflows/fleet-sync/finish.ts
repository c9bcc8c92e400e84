/** Records a fan-out's outcome (the batches' counts added up); both end states of the definition call it. */
import { endFanOut, fanOutResult } from "#shared/fleet/fleet-sync.ts";
import { defineFinish } from "#shared/workflows/engine.ts";

export const handler = defineFinish("fleet-sync", endFanOut, fanOutResult);
