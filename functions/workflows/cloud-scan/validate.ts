/** Scan step "Validating credentials": STS GetCallerIdentity with the scan's credentials; the service × region units. */
import { validateScan } from "#shared/posture/scans.ts";
import { defineTask } from "#shared/workflows/engine.ts";

export const handler = defineTask("cloud-scan", "functions/workflows/cloud-scan/validate.ts", validateScan);
