/** Scan step "Collecting inventory", one Map iteration: one service in one region (skipped when AWS refuses it). */
import { collectUnit } from "#shared/posture/scans.ts";
import { defineMapTask } from "#shared/workflows/engine.ts";

export const handler = defineMapTask("cloud-scan", "functions/workflows/cloud-scan/collect.ts", collectUnit);
