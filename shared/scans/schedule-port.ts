/** What a scan-schedule adapter implements (schedule.ts chooses one; adapters/eventbridge.ts, adapters/local-timer.ts). */
export interface ScanScheduler {
  /**
   * Creates or replaces the tenant's recurring scan: `expression` is an EventBridge Scheduler
   * expression (UTC), `nextRun` its next occurrence (the local timer arms on it).
   */
  upsert(tenantId: string, expression: string, nextRun: Date): Promise<void>;
  /** Removes it; removing a schedule that does not exist is not an error. */
  remove(tenantId: string): Promise<void>;
}
