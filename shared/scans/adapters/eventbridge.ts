/**
 * The EventBridge Scheduler adapter of the scan schedule: one schedule per tenant,
 * `warden-scan-<tenant>` in the group `WARDEN_SCAN_SCHEDULE_GROUP`, invoking the scheduled-scan
 * function (`WARDEN_SCAN_SCHEDULE_TARGET_ARN`) as the role `WARDEN_SCAN_SCHEDULER_ROLE_ARN` with
 * `{"tenantId": …}`. Upsert = UpdateSchedule, or CreateSchedule when it does not exist yet.
 */
import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
  UpdateScheduleCommand,
} from "@aws-sdk/client-scheduler";
import * as z from "zod/mini";
import { AppError } from "#shared/kit/errors.ts";
import type { ScanScheduler } from "../schedule-port.ts";

const env = z
  .object({
    WARDEN_SCAN_SCHEDULE_GROUP: z._default(z.string(), "default"),
    WARDEN_SCAN_SCHEDULE_TARGET_ARN: z.optional(z.string()),
    WARDEN_SCAN_SCHEDULER_ROLE_ARN: z.optional(z.string()),
  })
  .parse(process.env);
// Built on first use: a function that imports this module but does not send stays free of the
// client's setup at its cold start.
let clientBuilt: SchedulerClient | undefined;
const client = (): SchedulerClient => (clientBuilt ??= new SchedulerClient({}));

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
    try {
      await client().send(new UpdateScheduleCommand(input));
    } catch (e) {
      if (!(e instanceof ResourceNotFoundException)) throw e;
      try {
        await client().send(new CreateScheduleCommand(input));
      } catch (c) {
        // Created by a concurrent request meanwhile: update it to this one's expression.
        if (!(c instanceof ConflictException)) throw c;
        await client().send(new UpdateScheduleCommand(input));
      }
    }
  },
  async remove(tenantId) {
    try {
      await client().send(
        new DeleteScheduleCommand({ Name: nameOf(tenantId), GroupName: env.WARDEN_SCAN_SCHEDULE_GROUP }),
      );
    } catch (e) {
      if (!(e instanceof ResourceNotFoundException)) throw e;
    }
  },
};
