/** Scan step "firewall": a fresh snapshot, the firewall checks the scan's type and depth select, the result stored on the scan. */
import { scanComponentTask } from "#shared/scans/scans.ts";

export const handler = scanComponentTask("firewall");
