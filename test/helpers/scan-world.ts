/**
 * Gateway scans for the security matrices' worlds (test/helpers/route-requests.ts). The matrices
 * run without a workflow runner, so a scan is put in place as the engine leaves it: a finished one
 * (results and progress read it), a running one (cancel stops it), and a weekly schedule (DELETE
 * removes it). The routes read and change these exactly as they would a real scan's items.
 */

import { putScan, putSchedule, type ScanItem } from "#shared/scans/db/scans.ts";
import { newScanId } from "#shared/scans/scans.ts";
import { weeklySchedule } from "#shared/scans/schedule.ts";

const standing = new Map<string, Promise<string>>();

function scanItem(status: ScanItem["status"]): ScanItem {
  const now = new Date();
  const done = status !== "running";
  return {
    scanId: newScanId(now),
    scanType: "full",
    depth: "standard",
    components: ["authentication"],
    status,
    trigger: "api",
    startedBy: "matrix",
    startedAt: now.toISOString(),
    estimatedSeconds: 2,
    finishedAt: done ? now.toISOString() : null,
    currentComponent: null,
    currentCheck: null,
    componentsDone: done ? ["authentication"] : [],
    issuesFound: 0,
    results: done
      ? {
          authentication: {
            status: "pass",
            score: 100,
            issues: 0,
            checks: [
              {
                check: "password_policy",
                status: "pass",
                details: "Password policy compliant",
                severity: "low",
                remediation: null,
              },
            ],
          },
        }
      : {},
    cancelRequested: false,
    cancelledBy: null,
    error: null,
    totalIssues: done ? 0 : null,
    securityScore: done ? 100 : null,
    riskLevel: done ? "low" : null,
    recommendations: [],
  };
}

/** A completed scan of the tenant, made once per tenant. */
export function standingScan(tenantId: string): Promise<string> {
  let made = standing.get(tenantId);
  if (!made) {
    made = (async () => {
      const scan = scanItem("completed");
      await putScan(tenantId, scan);
      return scan.scanId;
    })();
    standing.set(tenantId, made);
  }
  return made;
}

/** A running scan (for cancel), made fresh each time. */
export async function runningScan(tenantId: string): Promise<string> {
  const scan = scanItem("running");
  await putScan(tenantId, scan);
  return scan.scanId;
}

/** The tenant's weekly schedule, as POST /scan with schedule: true leaves it. */
export async function weeklyScanSchedule(tenantId: string): Promise<void> {
  const now = new Date();
  const { expression, nextRun } = weeklySchedule(now);
  await putSchedule(tenantId, {
    expression,
    nextRun: nextRun.toISOString(),
    scanType: "full",
    depth: "standard",
    components: ["authentication"],
    createdBy: "matrix",
    createdAt: now.toISOString(),
  });
}
