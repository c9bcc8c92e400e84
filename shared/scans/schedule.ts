/**
 * The per-tenant recurring scan behind a port (shared/iot/registry.ts is the model):
 *   - `adapters/eventbridge.ts`: one EventBridge Scheduler schedule per tenant that invokes the
 *     scheduled-scan function with `{tenantId}` (deployed);
 *   - `adapters/local-timer.ts`: a timer in this process (local mode and tests, where DynamoDB
 *     Local's endpoint is configured), which calls `onDue` at the next run.
 * Tests may put a recorder in place with `useScanScheduler`.
 */
import { config } from "#shared/kit/config.ts";
import type { ScanScheduler } from "./schedule-port.ts";

export type { ScanScheduler } from "./schedule-port.ts";

let scheduler: Promise<ScanScheduler> | undefined;
let onDue: ((tenantId: string) => Promise<void>) | undefined;

export function useScanScheduler(adapter: ScanScheduler): void {
  scheduler = Promise.resolve(adapter);
}

/** What the local timer runs when a tenant's scan is due (scans.ts registers it). */
export function whenScanDue(fn: (tenantId: string) => Promise<void>): void {
  onDue = fn;
}

export function scanScheduler(): Promise<ScanScheduler> {
  scheduler ??= config.DYNAMODB_ENDPOINT
    ? import("./adapters/local-timer.ts").then((m) =>
        m.localTimerScheduler((tenantId) => (onDue ? onDue(tenantId) : Promise.resolve())),
      )
    : import("./adapters/eventbridge.ts").then((m) => m.eventBridgeScheduler);
  return scheduler;
}

const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"] as const;
/** Scheduled scans run at this hour (UTC), weekly on the weekday the schedule was made. */
export const SCHEDULED_HOUR_UTC = 2;

/** The weekly schedule made at `now`: its expression and next run (strictly after `now`). */
export function weeklySchedule(now: Date, weekday = now.getUTCDay()): { expression: string; nextRun: Date } {
  return { expression: `cron(0 ${SCHEDULED_HOUR_UTC} ? * ${DAYS[weekday]} *)`, nextRun: nextWeekly(now, weekday) };
}

export function nextWeekly(now: Date, weekday: number): Date {
  const at = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), SCHEDULED_HOUR_UTC));
  at.setUTCDate(at.getUTCDate() + ((weekday - at.getUTCDay() + 7) % 7));
  if (at.getTime() <= now.getTime()) at.setUTCDate(at.getUTCDate() + 7);
  return at;
}

/** The weekday of a stored expression (`cron(0 2 ? * SAT *)` → 6). */
export function weekdayOf(expression: string): number {
  const day = /\? \* ([A-Z]{3}) \*\)$/.exec(expression)?.[1];
  const i = DAYS.indexOf(day as (typeof DAYS)[number]);
  return Math.max(i, 0);
}
