/**
 * The alarms Warden deploys, built from the route table and the worker list (infra/stacks/
 * monitoring-stack.ts places them): what each alarm watches, its threshold and why, in one place.
 * Every alarm notifies the one alert topic, on ALARM and on OK, and treats missing data as fine (an
 * idle route has no datapoints, which is not a failure).
 */
import { Duration } from "aws-cdk-lib";
import {
  Alarm,
  ComparisonOperator,
  type IAlarmAction,
  type IMetric,
  MathExpression,
  Metric,
  TreatMissingData,
} from "aws-cdk-lib/aws-cloudwatch";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import type { Construct } from "constructs";
import { type BusinessMetric, METRICS_NAMESPACE, SERVICE } from "#shared/kit/metrics.ts";

export const PERIOD = Duration.minutes(5);

/** Thresholds, each with its reason; the README's Deploy section repeats them for operators. */
export const THRESHOLDS = {
  /** Lambda `Errors` counts crashes and timeouts only (the endpoint kit renders handled errors): one is a bug. */
  functionErrors: 1,
  /** Any throttle means a caller was refused for capacity (reserved concurrency or the account limit). */
  functionThrottles: 1,
  /** p99 duration in ms over three periods: far above the ~100 ms a route takes, far below the 29 s timeout. */
  routeP99Ms: 5_000,
  /** 5xx answers of the whole API in one period: a few are one client hitting one bug; more is an outage. */
  api5xx: 5,
  /** Table read + write throttle events in one period (on-demand: hot partitions or the account's table limits). */
  tableThrottles: 1,
  /** Age of the oldest stream record a worker holds, ms: the mapping drops records older than an hour. */
  iteratorAgeMs: 10 * 60_000,
  /** Failed IoT rule actions in one period (ingest refused or throttled: gateway events are being lost). */
  iotRuleFailures: 1,
  /** Lockouts in one period: a handful is users forgetting passwords; this many is a guessing campaign. */
  lockoutSpike: 10,
} as const;

export interface AlarmTarget {
  /** Where every alarm notifies (the alert topic). */
  action: IAlarmAction;
  /** Stack-name prefix, so two deployments in one account keep distinct alarm names. */
  prefix: string;
}

/** An alarm named `<prefix> <subject>: <what>`, notifying on ALARM and OK. */
export function alarm(
  scope: Construct,
  id: string,
  target: AlarmTarget,
  props: {
    subject: string;
    what: string;
    description: string;
    metric: IMetric;
    threshold: number;
    evaluationPeriods?: number;
    datapointsToAlarm?: number;
    comparisonOperator?: ComparisonOperator;
  },
): Alarm {
  const a = new Alarm(scope, id, {
    alarmName: `${target.prefix} ${props.subject}: ${props.what}`.slice(0, 255),
    alarmDescription: props.description,
    metric: props.metric,
    threshold: props.threshold,
    evaluationPeriods: props.evaluationPeriods ?? 1,
    datapointsToAlarm: props.datapointsToAlarm ?? props.evaluationPeriods ?? 1,
    comparisonOperator: props.comparisonOperator ?? ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
  a.addAlarmAction(target.action);
  a.addOkAction(target.action);
  return a;
}

/**
 * A route's three alarms: errors (crashes, timeouts), throttles and p99 latency of its function.
 * `subject` is the route key ("GET /v1/gateways"), so the alarm says which endpoint suffers.
 */
export function routeAlarms(scope: Construct, id: string, fn: IFunction, subject: string, target: AlarmTarget) {
  return [
    alarm(scope, `${id}-Errors`, target, {
      subject,
      what: "function errors",
      description: `${subject}: its function crashed or timed out (Lambda Errors ≥ ${THRESHOLDS.functionErrors} in 5 min). Logs: the function's log group.`,
      metric: fn.metricErrors({ period: PERIOD, statistic: "Sum" }),
      threshold: THRESHOLDS.functionErrors,
    }),
    alarm(scope, `${id}-Throttles`, target, {
      subject,
      what: "throttled",
      description: `${subject}: Lambda refused invocations for concurrency (Throttles ≥ ${THRESHOLDS.functionThrottles} in 5 min); callers got 5xx.`,
      metric: fn.metricThrottles({ period: PERIOD, statistic: "Sum" }),
      threshold: THRESHOLDS.functionThrottles,
    }),
    alarm(scope, `${id}-P99`, target, {
      subject,
      what: "p99 latency",
      description: `${subject}: p99 duration of its function above ${THRESHOLDS.routeP99Ms} ms for 15 min.`,
      metric: fn.metricDuration({ period: PERIOD, statistic: "p99" }),
      threshold: THRESHOLDS.routeP99Ms,
      evaluationPeriods: 3,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    }),
  ];
}

/** A worker's errors: a Step Functions task, a stream worker, the ingest, the WebSocket authorizer. */
export function workerErrorsAlarm(scope: Construct, id: string, fn: IFunction, subject: string, target: AlarmTarget) {
  return alarm(scope, `${id}-Errors`, target, {
    subject,
    what: "function errors",
    description: `${subject}: the worker crashed or timed out (Lambda Errors ≥ ${THRESHOLDS.functionErrors} in 5 min); its retries and on-failure queue (if any) hold the work.`,
    metric: fn.metricErrors({ period: PERIOD, statistic: "Sum" }),
    threshold: THRESHOLDS.functionErrors,
  });
}

/** A Warden business metric (shared/kit/metrics.ts), summed per period. */
export function businessMetric(metricName: BusinessMetric, label?: string): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    // The one dimension shared/kit/metrics.ts emits (Powertools' default `service` dimension).
    dimensionsMap: { service: SERVICE },
    statistic: "Sum",
    period: PERIOD,
    ...(label ? { label } : {}),
  });
}

/** A SEARCH over every metric of `namespace`/`schema` matching `terms`, for a dashboard graph (alarms cannot search). */
export function search(schema: string, terms: string, statistic: string, label = ""): MathExpression {
  return new MathExpression({
    expression: `SEARCH('{${schema}} ${terms}', '${statistic}', ${PERIOD.toSeconds()})`,
    usingMetrics: {},
    label,
    period: PERIOD,
  });
}
