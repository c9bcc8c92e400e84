/** Fan-out step "Listing gateways": the gateways the change is for, cut into the batches the Map writes. */
import { planFanOut } from "#shared/fleet/fleet-sync.ts";
import { defineTask } from "#shared/workflows/engine.ts";

export const handler = defineTask("fleet-sync", "functions/workflows/fleet-sync/plan.ts", planFanOut);
