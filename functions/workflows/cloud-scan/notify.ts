/** Scan step "Sending notifications": scan.completed, alert.created and alert.resolved webhooks. */
import { notifyScan } from "#shared/posture/scans.ts";
import { defineTask } from "#shared/workflows/engine.ts";

export const handler = defineTask("cloud-scan", "functions/workflows/cloud-scan/notify.ts", notifyScan);
