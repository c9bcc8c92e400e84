/** Scan step "authentication": a fresh snapshot, the authentication checks the scan's type and depth select, the result stored on the scan. */
import { scanComponentTask } from "#shared/scans/scans.ts";

export const handler = scanComponentTask("authentication");
