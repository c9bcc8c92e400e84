/**
 * The state machines of `shared/workflows/definitions.ts`: each definition's ASL text (the same
 * text local mode runs) with its task placeholders substituted by the task functions' ARNs (the
 * functions live in the workers stack, one per task, `infra/workers.ts`). Each machine is named
 * `<prefix>-<workflow>`, so functions find it by name without a cross-stack reference; it logs
 * every event (without execution data: CSRs and certificates stay out of the logs), traces with
 * X-Ray, and its role may invoke exactly its own task functions. EventBridge Scheduler runs the
 * scheduled jobs (daily certificate auto-renew) through a role that may invoke only those.
 *
 * Tenants' weekly gateway scans (`POST /scan` with `schedule: true`) are schedules made at run
 * time (shared/scans/adapters/eventbridge.ts) in this stack's schedule group; they run as the scan
 * scheduler role, which may invoke only the scheduled-scan function. Group, role and function
 * have fixed names (access-policy.ts `deploymentNames`), so the route functions get their ARNs
 * without depending on this stack.
 */
import { Duration, RemovalPolicy, Stack, type StackProps } from "aws-cdk-lib";
import { PolicyStatement, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import type { CfnFunction } from "aws-cdk-lib/aws-lambda";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import { CfnSchedule, CfnScheduleGroup } from "aws-cdk-lib/aws-scheduler";
import { DefinitionBody, LogLevel, StateMachine } from "aws-cdk-lib/aws-stepfunctions";
import type { Construct } from "constructs";
import {
  type ScheduledJob,
  taskFunctionId,
  taskPlaceholder,
  toAsl,
  type WorkflowDef,
  workflowTasks,
} from "#shared/workflows/definitions.ts";
import type { DeploymentNames } from "../constructs/access-policy.ts";
import { acknowledgeStateMachineRole } from "../constructs/nag.ts";
import type { WardenFunction } from "../constructs/warden-function.ts";
import { SCAN_SCHEDULE_TARGET_ID } from "../workers.ts";

export interface WorkflowsStackProps extends StackProps {
  workflows: readonly WorkflowDef[];
  /** Worker functions EventBridge Scheduler invokes on a cron (each must be in `functions`). */
  schedules: readonly ScheduledJob[];
  /** The workers stack's functions by id: every task of every workflow must be there. */
  functions: ReadonlyMap<string, WardenFunction>;
  /** Each state machine is `<stateMachineNamePrefix><workflow>`. */
  stateMachineNamePrefix: string;
  /** Set when tenants' scan schedules are deployed: the group, role and target names. */
  scanSchedules?: DeploymentNames;
}

export class WorkflowsStack extends Stack {
  readonly stateMachines = new Map<string, StateMachine>();
  readonly scanSchedulerRole?: Role;
  readonly scanScheduleGroup?: CfnScheduleGroup;

  constructor(scope: Construct, id: string, props: WorkflowsStackProps) {
    super(scope, id, props);
    for (const def of props.workflows) {
      const substitutions: Record<string, string> = {};
      const arns: string[] = [];
      for (const task of workflowTasks(def)) {
        const fn = props.functions.get(taskFunctionId(task));
        if (!fn) throw new Error(`workflow ${def.name}: no function for task ${task} (infra/workers.ts)`);
        substitutions[taskPlaceholder(task)] = fn.alias.functionArn;
        arns.push(fn.alias.functionArn);
      }
      const logs = new LogGroup(this, `${def.name}-logs`, {
        // Step Functions requires the /aws/vendedlogs/ prefix for log groups it writes to at scale.
        logGroupName: `/aws/vendedlogs/states/${props.stateMachineNamePrefix}${def.name}`,
        retention: RetentionDays.ONE_MONTH,
        removalPolicy: RemovalPolicy.DESTROY,
      });
      const machine = new StateMachine(this, def.name, {
        stateMachineName: `${props.stateMachineNamePrefix}${def.name}`,
        comment: def.description,
        definitionBody: DefinitionBody.fromString(JSON.stringify(toAsl(def))),
        definitionSubstitutions: substitutions,
        timeout: Duration.seconds(def.timeoutSeconds),
        tracingEnabled: true,
        logs: { destination: logs, level: LogLevel.ALL, includeExecutionData: false },
      });
      // By the `live` alias ARN: a task runs the released version, like every other trigger.
      machine.addToRolePolicy(new PolicyStatement({ actions: ["lambda:InvokeFunction"], resources: arns }));
      acknowledgeStateMachineRole(machine.role);
      this.stateMachines.set(def.name, machine);
    }

    // One role for the scheduler, allowed to invoke exactly the scheduled functions.
    if (props.schedules.length > 0) {
      const scheduled = props.schedules.map((job) => {
        const fn = props.functions.get(taskFunctionId(job.handler));
        if (!fn) throw new Error(`schedule: no function for ${job.handler} (infra/workers.ts)`);
        return { job, fn };
      });
      const role = new Role(this, "SchedulerRole", {
        assumedBy: new ServicePrincipal("scheduler.amazonaws.com"),
        description: "Warden: EventBridge Scheduler invokes the scheduled jobs",
      });
      role.addToPolicy(
        new PolicyStatement({
          actions: ["lambda:InvokeFunction"],
          resources: scheduled.map((s) => s.fn.alias.functionArn),
        }),
      );
      for (const { job, fn } of scheduled) {
        new CfnSchedule(this, `Schedule-${taskFunctionId(job.handler)}`, {
          description: job.description,
          scheduleExpression: job.expression,
          scheduleExpressionTimezone: "UTC",
          flexibleTimeWindow: { mode: "OFF" },
          target: { arn: fn.alias.functionArn, roleArn: role.roleArn, retryPolicy: { maximumRetryAttempts: 2 } },
        });
      }
    }

    if (props.scanSchedules) {
      const names = props.scanSchedules;
      const target = props.functions.get(SCAN_SCHEDULE_TARGET_ID);
      if (!target) throw new Error(`scan schedules: no function ${SCAN_SCHEDULE_TARGET_ID} (infra/workers.ts)`);
      // The schedules (made at run time) name their target by this fixed name.
      (target.function.node.defaultChild as CfnFunction).functionName = names.scanScheduleTargetName;
      this.scanScheduleGroup = new CfnScheduleGroup(this, "ScanScheduleGroup", { name: names.scanScheduleGroup });
      const group = this.formatArn({
        service: "scheduler",
        resource: "schedule-group",
        resourceName: names.scanScheduleGroup,
      });
      this.scanSchedulerRole = new Role(this, "ScanSchedulerRole", {
        roleName: names.scanSchedulerRoleName,
        description: "Warden: EventBridge Scheduler starts tenants' scheduled gateway scans",
        // Only this account's schedules in this group may use the role (confused-deputy guard).
        assumedBy: new ServicePrincipal("scheduler.amazonaws.com", {
          conditions: { StringEquals: { "aws:SourceAccount": this.account }, ArnLike: { "aws:SourceArn": group } },
        }),
      });
      this.scanSchedulerRole.addToPolicy(
        new PolicyStatement({ actions: ["lambda:InvokeFunction"], resources: [target.function.functionArn] }),
      );
    }
  }
}
