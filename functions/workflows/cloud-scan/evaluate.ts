/** Scan step "Evaluating checks": the merged inventory through every check; findings, score and alerts stored. */
import { evaluateScan } from "#shared/posture/scans.ts";
import { defineTask } from "#shared/workflows/engine.ts";

export const handler = defineTask("cloud-scan", "functions/workflows/cloud-scan/evaluate.ts", evaluateScan);
