/** Records a scan's outcome and deletes its credentials; both end states of the definition call it. */
import { endScan } from "#shared/posture/scans.ts";
import { defineFinish } from "#shared/workflows/engine.ts";

export const handler = defineFinish("cloud-scan", endScan);
