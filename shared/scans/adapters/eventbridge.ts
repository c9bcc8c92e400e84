/**
 * The EventBridge Scheduler adapter of the scan schedule: one schedule per tenant,
 * `warden-scan-<tenant>` in the group `WARDEN_SCAN_SCHEDULE_GROUP`, invoking the scheduled-scan
 * function (`WARDEN_SCAN_SCHEDULE_TARGET_ARN`) as the role `WARDEN_SCAN_SCHEDULER_ROLE_ARN` with
 * `{"tenantId": …}`. Upsert = UpdateSchedule, or CreateSchedule when it does not exist yet.
 */
import type { SchedulerClient } from "@aws-sdk/client-scheduler";
import * as z from "zod/mini";
import { AppError } from "#shared/kit/errors.ts";
import { onFirstUse } from "#shared/kit/lazy.ts";
import type { ScanScheduler } from "../schedule-port.ts";

const env = z
  .object({
    WARDEN_SCAN_SCHEDULE_GROUP: z._default(z.string(), "default"),
    WARDEN_SCAN_SCHEDULE_TARGET_ARN: z.optional(z.string()),
    WARDEN_SCAN_SCHEDULER_ROLE_ARN: z.optional(z.string()),
  })
  .parse(process.env);
type SchedulerSdk = typeof import("@aws-sdk/client-scheduler");

// The SDK module is imported, and the client built, on first use: a function that imports this
// module but does not send neither loads the Scheduler client's code nor sets it up at its cold
// start (a failed import is retried by the next call).
const scheduler = onFirstUse<{ sdk: SchedulerSdk; client: SchedulerClient }>(() =>
  import("@aws-sdk/client-scheduler").then((sdk) => ({ sdk, client: new sdk.SchedulerClient({}) })),
);

const nameOf = (tenantId: string) => `warden-scan-${tenantId}`.slice(0, 64);

function target(tenantId: string) {
  if (!env.WARDEN_SCAN_SCHEDULE_TARGET_ARN || !env.WARDEN_SCAN_SCHEDULER_ROLE_ARN) {
    throw new AppError(
      503,
      "INTERNAL_SERVER_ERROR",
      "schedule: recurring scans are not configured in this deployment (WARDEN_SCAN_SCHEDULE_TARGET_ARN, WARDEN_SCAN_SCHEDULER_ROLE_ARN)",
    );
  }
  return {
    Arn: env.WARDEN_SCAN_SCHEDULE_TARGET_ARN,
    RoleArn: env.WARDEN_SCAN_SCHEDULER_ROLE_ARN,
    Input: JSON.stringify({ tenantId }),
  };
}

export const eventBridgeScheduler: ScanScheduler = {
  async upsert(tenantId, expression) {
    const input = {
      Name: nameOf(tenantId),
      GroupName: env.WARDEN_SCAN_SCHEDULE_GROUP,
      ScheduleExpression: expression,
      ScheduleExpressionTimezone: "UTC",
      FlexibleTimeWindow: { Mode: "FLEXIBLE" as const, MaximumWindowInMinutes: 30 },
      Target: target(tenantId),
      Description: `Warden weekly gateway security scan of tenant ${tenantId}`,
    };
    const { sdk, client } = await scheduler();
    try {
      await client.send(new sdk.UpdateScheduleCommand(input));
    } catch (e) {
      if (!(e instanceof sdk.ResourceNotFoundException)) throw e;
      try {
        await client.send(new sdk.CreateScheduleCommand(input));
      } catch (c) {
        // Created by a concurrent request meanwhile: update it to this one's expression.
        if (!(c instanceof sdk.ConflictException)) throw c;
        await client.send(new sdk.UpdateScheduleCommand(input));
      }
    }
  },
  async remove(tenantId) {
    const { sdk, client } = await scheduler();
    try {
      await client.send(
        new sdk.DeleteScheduleCommand({ Name: nameOf(tenantId), GroupName: env.WARDEN_SCAN_SCHEDULE_GROUP }),
      );
    } catch (e) {
      if (!(e instanceof sdk.ResourceNotFoundException)) throw e;
    }
  },
};
