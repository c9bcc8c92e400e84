/** Fan-out step "Writing shadows", one Map iteration: the named shadows of one batch of gateways. */
import { writeShadowBatch } from "#shared/fleet/fleet-sync.ts";
import { defineMapTask } from "#shared/workflows/engine.ts";

export const handler = defineMapTask("fleet-sync", "functions/workflows/fleet-sync/write.ts", writeShadowBatch);
