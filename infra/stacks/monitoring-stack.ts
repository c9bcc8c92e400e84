/**
 * Who is told, and where to look: the alert topic, the platform alarms and the dashboard
 * (`<prefix>-Monitoring`), and each route file's alarms beside it (`<prefix>-Alarms-<file>`, the
 * same split as the routes stacks).
 *
 * Why several stacks: every route has three alarms (errors, throttles, p99 latency). At ~200
 * routes that is 600 alarms, past CloudFormation's 500 resources per stack; one alarms stack per
 * route file holds at most 60 × 3 = 180, and a route's alarms never move between stacks when other
 * files change. Composite alarms would not help: each composite still needs its child alarms.
 *
 * References into the function, API and IoT stacks are WEAK (`Fn::GetStackOutput`, not
 * Export/Import): monitoring must never stop a route from being removed or replaced. An alarm of
 * a route that is gone points at a function that no longer exists (no data, not breaching) until
 * the next deploy removes it too.
 */
import { CfnOutput, CrossStackReferences, Duration, ReferenceStrength, Stack, type StackProps } from "aws-cdk-lib";
import {
  type Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  TextWidget,
} from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import { PolicyStatement, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Key } from "aws-cdk-lib/aws-kms";
import { Topic } from "aws-cdk-lib/aws-sns";
import { EmailSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import type { Construct } from "constructs";
import { functionId, type RouteDef, routeKey } from "#shared/kit/route.ts";
import {
  type AlarmTarget,
  alarm,
  businessMetric,
  PERIOD,
  routeAlarms,
  search,
  THRESHOLDS,
  workerErrorsAlarm,
} from "../constructs/monitoring.ts";
import type { WardenFunction } from "../constructs/warden-function.ts";
import type { ApiStack } from "./api-stack.ts";
import type { IotStack } from "./iot-stack.ts";
import type { WorkersStack } from "./workers-stack.ts";

/** The alert topic's name: fixed, so the alarms stacks address it without a cross-stack reference. */
export const alertTopicName = (prefix: string): string => `${prefix.toLowerCase()}-alerts`;

function alertTopicArn(stack: Stack, prefix: string): string {
  return stack.formatArn({ service: "sns", resource: alertTopicName(prefix) });
}

/** Business metrics (shared/kit/metrics.ts) shown on the dashboard. */
const BUSINESS = [
  ["LoginSucceeded", "logins"],
  ["LoginFailed", "failed logins"],
  ["Lockouts", "lockouts"],
  ["ShadowSyncFailures", "shadow sync failures"],
] as const;

export interface MonitoringStackProps extends StackProps {
  prefix: string;
  /** `-c alertEmail=`: subscribed to the alert topic (the address confirms by mail). */
  alertEmail?: string;
  api: ApiStack;
  tableName: string;
  workers?: WorkersStack;
  iot?: IotStack;
}

/** The alert topic, the platform alarms and the dashboard. */
export class MonitoringStack extends Stack {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringStackProps) {
    super(scope, id, props);
    CrossStackReferences.of(this).consume(ReferenceStrength.WEAK);

    // SNS encrypts with a customer key CloudWatch may use: alarms cannot publish to a topic under
    // the AWS-managed SNS key.
    const key = new Key(this, "AlertKey", {
      description: "Warden: encrypts the alert topic",
      enableKeyRotation: true,
    });
    key.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal("cloudwatch.amazonaws.com")],
        actions: ["kms:Decrypt", "kms:GenerateDataKey*"],
        resources: ["*"],
        conditions: { StringEquals: { "aws:SourceAccount": this.account } },
      }),
    );
    this.topic = new Topic(this, "Alerts", {
      topicName: alertTopicName(props.prefix),
      displayName: `${props.prefix} alerts`,
      masterKey: key,
      enforceSSL: true,
    });
    // The topic policy replaces SNS's default one, so CloudWatch's right to publish is explicit.
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal("cloudwatch.amazonaws.com")],
        actions: ["sns:Publish"],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { "aws:SourceAccount": this.account },
          ArnLike: { "aws:SourceArn": this.formatArn({ service: "cloudwatch", resource: "alarm:*" }) },
        },
      }),
    );
    if (props.alertEmail) this.topic.addSubscription(new EmailSubscription(props.alertEmail));
    const target: AlarmTarget = { action: new SnsAction(this.topic), prefix: props.prefix };

    const apiId = props.api.api.apiId;
    const apiMetric = (metricName: string, statistic: string) =>
      new Metric({
        namespace: "AWS/ApiGateway",
        metricName,
        dimensionsMap: { ApiId: apiId },
        statistic,
        period: PERIOD,
      });
    this.alarms.push(
      alarm(this, "Api5xx", target, {
        subject: "API",
        what: "5xx answers",
        description: `The HTTP API answered 5xx ≥ ${THRESHOLDS.api5xx} times in 5 min (handler errors, integration failures, throttled functions). The dashboard's per-route graph shows which.`,
        metric: apiMetric("5xx", "Sum"),
        threshold: THRESHOLDS.api5xx,
      }),
      alarm(this, "TableThrottles", target, {
        subject: "Table",
        what: "throttled requests",
        description: `DynamoDB throttled reads or writes of ${props.tableName} (≥ ${THRESHOLDS.tableThrottles} in 5 min): a hot partition or the account's on-demand limits.`,
        metric: new MathExpression({
          expression: "reads + writes",
          usingMetrics: {
            reads: new Metric({
              namespace: "AWS/DynamoDB",
              metricName: "ReadThrottleEvents",
              dimensionsMap: { TableName: props.tableName },
              statistic: "Sum",
              period: PERIOD,
            }),
            writes: new Metric({
              namespace: "AWS/DynamoDB",
              metricName: "WriteThrottleEvents",
              dimensionsMap: { TableName: props.tableName },
              statistic: "Sum",
              period: PERIOD,
            }),
          },
          label: "throttle events",
          period: PERIOD,
        }),
        threshold: THRESHOLDS.tableThrottles,
      }),
      alarm(this, "LockoutSpike", target, {
        subject: "Logins",
        what: "lockout spike",
        description: `≥ ${THRESHOLDS.lockoutSpike} accounts locked out in 5 min: a password-guessing campaign is likely. The audit trail names the accounts and addresses.`,
        metric: businessMetric("Lockouts"),
        threshold: THRESHOLDS.lockoutSpike,
      }),
    );

    // Workers: errors for each; stream iterator age; the on-failure queues' depth.
    const workers: [string, WardenFunction][] = [
      ...(props.workers?.functions ?? new Map()),
      ...(props.iot?.ingestFunctions ?? new Map()),
    ];
    for (const [id, fn] of workers) {
      this.alarms.push(workerErrorsAlarm(this, `${id}`, fn.function, id, target));
      if (fn.failureQueue) {
        this.alarms.push(
          alarm(this, `${id}-FailureQueue`, target, {
            subject: id,
            what: "failed invocations kept",
            description: `${id}: invocations that failed after their retries are waiting in its on-failure queue (${fn.failureQueue.queueName}). Fix the cause, then \`npm run redrive -- <queue>\`.`,
            metric: fn.failureQueue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: "Maximum" }),
            threshold: 0,
            comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
          }),
        );
      }
    }
    for (const [id, fn] of props.workers?.functions ?? new Map<string, WardenFunction>()) {
      if (!props.workers?.streamWorkers.has(id)) continue;
      this.alarms.push(
        alarm(this, `${id}-IteratorAge`, target, {
          subject: id,
          what: "stream falling behind",
          description: `${id}: the oldest table-stream record it holds is over ${THRESHOLDS.iteratorAgeMs / 60_000} min old; records over an hour old go to its on-failure queue unprocessed.`,
          metric: new Metric({
            namespace: "AWS/Lambda",
            metricName: "IteratorAge",
            dimensionsMap: { FunctionName: fn.function.functionName },
            statistic: "Maximum",
            period: PERIOD,
          }),
          threshold: THRESHOLDS.iteratorAgeMs,
        }),
      );
    }
    const rule = props.iot?.topicRule;
    if (rule) {
      this.alarms.push(
        alarm(this, "IotRuleFailures", target, {
          subject: "IoT rule",
          what: "failed actions",
          description: `The gateway-events topic rule failed to invoke the ingest (≥ ${THRESHOLDS.iotRuleFailures} in 5 min); the events are in the rule's error log group.`,
          metric: new Metric({
            namespace: "AWS/IoT",
            metricName: "Failure",
            dimensionsMap: { RuleName: rule.ref },
            statistic: "Sum",
            period: PERIOD,
          }),
          threshold: THRESHOLDS.iotRuleFailures,
        }),
      );
    }

    this.dashboard = this.buildDashboard(props, apiId, rule?.ref);
    new CfnOutput(this, "AlertTopicArn", { value: this.topic.topicArn, description: "Subscribe on-call here" });
  }

  private buildDashboard(props: MonitoringStackProps, apiId: string, ruleName: string | undefined): Dashboard {
    const prefix = props.prefix;
    const lambda = (metricName: string, statistic: string) =>
      search("AWS/Lambda,FunctionName", `MetricName="${metricName}" FunctionName:${prefix}`, statistic);
    const graph = (title: string, left: (Metric | MathExpression)[], width = 12) =>
      new GraphWidget({ title, left, width, height: 6, period: PERIOD });
    const dashboard = new Dashboard(this, "Dashboard", {
      dashboardName: `${prefix}-Operations`,
      defaultInterval: Duration.hours(6),
    });
    const api = (metricName: string, statistic: string, label: string) =>
      new Metric({
        namespace: "AWS/ApiGateway",
        metricName,
        dimensionsMap: { ApiId: apiId },
        statistic,
        period: PERIOD,
        label,
      });
    const perRoute = (metricName: string, statistic: string) =>
      search("AWS/ApiGateway,ApiId,Method,Resource,Stage", `MetricName="${metricName}" ApiId="${apiId}"`, statistic);
    dashboard.addWidgets(
      new TextWidget({
        markdown: `# ${prefix}\nAlarms notify the SNS topic \`${alertTopicName(prefix)}\`. Failed asynchronous and stream invocations wait in their function's on-failure queue: \`npm run redrive -- <queue>\` (README, Deploy).`,
        width: 24,
        height: 2,
      }),
    );
    dashboard.addWidgets(
      new AlarmStatusWidget({ title: "Platform alarms", alarms: this.alarms, width: 24, height: 4 }),
    );
    dashboard.addWidgets(
      graph("API requests and errors", [
        api("Count", "Sum", "requests"),
        api("4xx", "Sum", "4xx"),
        api("5xx", "Sum", "5xx"),
      ]),
      graph("API latency (ms)", [api("Latency", "p50", "p50"), api("Latency", "p99", "p99")]),
    );
    dashboard.addWidgets(
      graph("5xx per route (-c apiRouteMetrics=true)", [perRoute("5xx", "Sum")]),
      graph("p99 latency per route (ms)", [perRoute("Latency", "p99")]),
    );
    dashboard.addWidgets(
      graph("Function errors", [lambda("Errors", "Sum")], 8),
      graph("Function throttles", [lambda("Throttles", "Sum")], 8),
      graph("Function p99 duration (ms)", [lambda("Duration", "p99")], 8),
    );
    dashboard.addWidgets(
      graph(
        "Table throttles",
        [
          new Metric({
            namespace: "AWS/DynamoDB",
            metricName: "ReadThrottleEvents",
            dimensionsMap: { TableName: props.tableName },
            statistic: "Sum",
            period: PERIOD,
            label: "reads",
          }),
          new Metric({
            namespace: "AWS/DynamoDB",
            metricName: "WriteThrottleEvents",
            dimensionsMap: { TableName: props.tableName },
            statistic: "Sum",
            period: PERIOD,
            label: "writes",
          }),
        ],
        8,
      ),
      graph("Stream iterator age (ms)", [lambda("IteratorAge", "Maximum")], 8),
      graph(
        "On-failure queues (messages waiting)",
        [
          search(
            "AWS/SQS,QueueName",
            `MetricName="ApproximateNumberOfMessagesVisible" QueueName:${prefix} QueueName:FailureQueue`,
            "Maximum",
          ),
        ],
        8,
      ),
    );
    dashboard.addWidgets(
      graph(
        "IoT gateway events",
        ruleName
          ? [
              new Metric({
                namespace: "AWS/IoT",
                metricName: "TopicMatch",
                dimensionsMap: { RuleName: ruleName },
                statistic: "Sum",
                period: PERIOD,
                label: "events",
              }),
              new Metric({
                namespace: "AWS/IoT",
                metricName: "Failure",
                dimensionsMap: { RuleName: ruleName },
                statistic: "Sum",
                period: PERIOD,
                label: "failed",
              }),
            ]
          : [],
      ),
      graph(
        "Sign-ins and gateways (Warden metrics)",
        BUSINESS.map(([name, label]) => businessMetric(name, label)),
      ),
    );
    return dashboard;
  }
}

export interface RouteAlarmsStackProps extends StackProps {
  prefix: string;
  /** Route key ("GET /v1/gateways") → its function, from one routes stack (or the realtime stack). */
  functions: { subject: string; fn: WardenFunction; id: string }[];
}

/** One route file's alarms: errors, throttles and p99 latency of each route's function. */
export class RouteAlarmsStack extends Stack {
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: RouteAlarmsStackProps) {
    super(scope, id, props);
    CrossStackReferences.of(this).consume(ReferenceStrength.WEAK);
    const topic = Topic.fromTopicArn(this, "Alerts", alertTopicArn(this, props.prefix));
    const target: AlarmTarget = { action: new SnsAction(topic), prefix: props.prefix };
    for (const { subject, fn, id: fnId } of props.functions) {
      this.alarms.push(...routeAlarms(this, fnId, fn.function, subject, target));
    }
  }
}

export interface MonitoringOptions {
  prefix: string;
  alertEmail?: string;
  api: ApiStack;
  tableName: string;
  routes: RouteDef[];
  /** Stacks holding route functions (routes stacks, the realtime stack): one alarms stack each. */
  routeStacks: { stack: Stack; functions: Map<string, WardenFunction> }[];
  workers?: WorkersStack;
  iot?: IotStack;
}

export interface Monitoring {
  monitoring: MonitoringStack;
  alarms: RouteAlarmsStack[];
}

/** `<prefix>-Monitoring` and one `<prefix>-Alarms-<name>` per stack of route functions. */
export function monitoringFor(scope: Construct, options: MonitoringOptions): Monitoring {
  const { prefix } = options;
  const monitoring = new MonitoringStack(scope, `${prefix}-Monitoring`, {
    description: "Warden: alert topic, platform alarms, dashboard",
    prefix,
    alertEmail: options.alertEmail,
    api: options.api,
    tableName: options.tableName,
    workers: options.workers,
    iot: options.iot,
  });
  const subjects = new Map(options.routes.map((r) => [functionId(r.handler), routeKey(r)]));
  const alarms = options.routeStacks
    .filter((s) => s.functions.size > 0)
    .map(({ stack, functions }) => {
      const name = stack.node.id.startsWith(`${prefix}-Routes-`)
        ? stack.node.id.slice(`${prefix}-Routes-`.length)
        : stack.node.id.slice(`${prefix}-`.length).toLowerCase();
      const s = new RouteAlarmsStack(scope, `${prefix}-Alarms-${name}`, {
        description: `Warden: alarms of the ${name} routes`,
        prefix,
        functions: [...functions].map(([id, fn]) => ({ id, fn, subject: subjects.get(id) ?? id })),
      });
      s.addStackDependency(monitoring, "alarms notify the alert topic");
      return s;
    });
  return { monitoring, alarms };
}
