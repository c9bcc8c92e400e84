/**
 * Local mode's stand-in for EventBridge Scheduler: one timer per tenant in this process, armed on
 * the next run; `onDue` starts the scan and re-arms through `upsert`. Timers do not survive a
 * restart of the process (a schedule saved before is armed again when the tenant next changes it).
 */
import type { ScanScheduler } from "../schedule-port.ts";

/** setTimeout's ceiling (~24.8 days); a later run is reached in hops. */
const MAX_DELAY_MS = 2 ** 31 - 1;

export function localTimerScheduler(onDue: (tenantId: string) => Promise<void>): ScanScheduler {
  const timers = new Map<string, NodeJS.Timeout>();
  const arm = (tenantId: string, at: number) => {
    const wait = Math.max(0, at - Date.now());
    const timer = setTimeout(
      () => {
        if (wait === MAX_DELAY_MS) return arm(tenantId, at);
        timers.delete(tenantId);
        onDue(tenantId).catch((e: unknown) =>
          process.stderr.write(`scheduled scan of ${tenantId}: ${e instanceof Error ? e.message : String(e)}\n`),
        );
      },
      Math.min(wait, MAX_DELAY_MS),
    );
    timer.unref();
    timers.set(tenantId, timer);
  };
  return {
    async upsert(tenantId, _expression, nextRun) {
      clearTimeout(timers.get(tenantId));
      arm(tenantId, nextRun.getTime());
    },
    async remove(tenantId) {
      clearTimeout(timers.get(tenantId));
      timers.delete(tenantId);
    },
  };
}
