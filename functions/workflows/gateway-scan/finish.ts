/** Records a scan's outcome (completed, failed or cancelled; score; audit `scan_completed`); both end states call it. */
import { finishScanTask } from "#shared/scans/scans.ts";

export const handler = finishScanTask;
