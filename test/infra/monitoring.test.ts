/**
 * Nothing lost silently, and somebody is told: the on-failure queues of every asynchronous or
 * stream-driven function, the alarms built from the route table and the worker list, the alert
 * topic and the dashboard, and cdk-nag's Serverless pack, on the whole app as `cdk synth` builds it.
 */
import type { Stack } from "aws-cdk-lib";
import { ServerlessChecks } from "cdk-nag";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { routeFiles } from "#infra/routes.ts";
import { workers } from "#infra/workers.ts";
import { routeKey } from "#shared/kit/route.ts";
import { type SynthesizedWarden, synthWarden } from "./synth-app.ts";

type Resource = { Type: string; Properties: Record<string, unknown> };

let warden: SynthesizedWarden;
const resources = (stack: Stack): Resource[] => Object.values(warden.template(stack).toJSON().Resources ?? {});
const alarmsOf = (stacks: Stack[]) =>
  stacks.flatMap(resources).filter((r) => r.Type === "AWS::CloudWatch::Alarm") as unknown as {
    Properties: { AlarmName: string; MetricName?: string; Namespace?: string; AlarmActions: unknown[] };
  }[];

beforeAll(async () => {
  warden = await synthWarden({ alertEmail: "oncall@example.com", apiRouteMetrics: true });
}, 900_000);
afterAll(() => warden?.cleanup());

describe("nothing lost silently", () => {
  const asyncWorkers = workers.filter(
    (w) =>
      w.trigger === "iot-events" || w.trigger === "iot-shadow-documents" || w.trigger === "schedule" || w.invokedAsync,
  );
  const streamWorkers = workers.filter((w) => w.trigger === "table-stream");

  it("gives every asynchronously invoked worker retries and an on-failure queue", () => {
    expect(asyncWorkers.map((w) => w.id)).toEqual(
      expect.arrayContaining([
        "iot-ingest",
        "workers-grc-evidence-schedule",
        "workflows-certificate-renewal-auto-renew",
      ]),
    );
    const stacks = [warden.workers, warden.iot].filter((s): s is NonNullable<typeof s> => !!s);
    for (const w of asyncWorkers) {
      const stack = stacks.find((s) => ("functions" in s ? s.functions : s.ingestFunctions).has(w.id));
      if (!stack) throw new Error(`no stack holds ${w.id}`);
      const fn = ("functions" in stack ? stack.functions : stack.ingestFunctions).get(w.id);
      expect(fn?.failureQueue, w.id).toBeDefined();
      const config = resources(stack).filter(
        (r) =>
          r.Type === "AWS::Lambda::EventInvokeConfig" &&
          JSON.stringify(r.Properties.FunctionName).includes(
            stack.getLogicalId(fn?.function.node.defaultChild as never),
          ),
      );
      expect(config, w.id).toHaveLength(1);
      const destination = (config[0]?.Properties.DestinationConfig as { OnFailure?: { Destination?: unknown } })
        ?.OnFailure?.Destination;
      expect(JSON.stringify(destination), w.id).toContain(
        stack.getLogicalId(fn?.failureQueue?.node.defaultChild as never),
      );
    }
  });

  it("parks a stream batch that still fails in its worker's queue, and lets the handler name the failed record", () => {
    const stack = warden.workers;
    if (!stack) throw new Error("expected a workers stack");
    const mappings = resources(stack).filter((r) => r.Type === "AWS::Lambda::EventSourceMapping");
    expect(mappings).toHaveLength(streamWorkers.length);
    for (const w of streamWorkers) {
      const fn = stack.functions.get(w.id);
      const queueId = stack.getLogicalId(fn?.failureQueue?.node.defaultChild as never);
      // Triggers invoke the `live` alias (WardenFunction), so the mapping names the alias.
      const fnId = stack.getLogicalId(fn?.alias.node.defaultChild as never);
      const mapping = mappings.find((m) => JSON.stringify(m.Properties.FunctionName).includes(fnId));
      expect(mapping?.Properties.FunctionResponseTypes, w.id).toEqual(["ReportBatchItemFailures"]);
      expect(JSON.stringify(mapping?.Properties.DestinationConfig), w.id).toContain(queueId);
    }
  });

  it("keeps failures encrypted, TLS-only, for 14 days", () => {
    const queues = [warden.workers, warden.iot]
      .filter((s): s is NonNullable<typeof s> => !!s)
      .flatMap(resources)
      .filter((r) => r.Type === "AWS::SQS::Queue");
    expect(queues).toHaveLength(asyncWorkers.length + streamWorkers.length);
    for (const q of queues) {
      expect(q.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    }
    const policies = [warden.workers, warden.iot]
      .filter((s): s is NonNullable<typeof s> => !!s)
      .flatMap(resources)
      .filter((r) => r.Type === "AWS::SQS::QueuePolicy");
    expect(policies).toHaveLength(queues.length);
    for (const p of policies) {
      expect(JSON.stringify(p.Properties.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
    }
  });

  it("gives no API function an on-failure queue: API Gateway invokes them synchronously", () => {
    for (const stack of warden.routeStacks) {
      expect(
        resources(stack).filter((r) => r.Type === "AWS::SQS::Queue"),
        stack.stackName,
      ).toEqual([]);
    }
  });
});

describe("alarms", () => {
  const routes = Object.values(routeFiles).flat();

  it("watches every route's function for errors, throttles and p99 latency, notifying the alert topic", () => {
    const alarms = alarmsOf(warden.monitoring.alarms);
    const names = new Set(alarms.map((a) => a.Properties.AlarmName));
    for (const r of routes) {
      for (const what of ["function errors", "throttled", "p99 latency"]) {
        expect(names.has(`Warden ${routeKey(r)}: ${what}`), `${routeKey(r)}: ${what}`).toBe(true);
      }
    }
    for (const a of alarms) {
      expect(JSON.stringify(a.Properties.AlarmActions)).toContain(":warden-alerts");
    }
  });

  it("has the platform alarms: API 5xx, table throttles, stream age, IoT rule, every queue's depth, lockouts", () => {
    const alarms = alarmsOf([warden.monitoring.monitoring]).map((a) => a.Properties.AlarmName);
    expect(alarms).toEqual(
      expect.arrayContaining([
        "Warden API: 5xx answers",
        "Warden Table: throttled requests",
        "Warden IoT rule: failed actions",
        "Warden Logins: lockout spike",
        ...workers.filter((w) => w.trigger === "table-stream").map((w) => `Warden ${w.id}: stream falling behind`),
        // The deploy-time lookup (custom resource) fails a deploy, loudly, when it fails: no alarm.
        ...workers.filter((w) => w.trigger !== "custom-resource").map((w) => `Warden ${w.id}: function errors`),
      ]),
    );
    const queueAlarms = alarms.filter((a) => a.endsWith(": failed invocations kept"));
    const queues = [warden.workers, warden.iot]
      .filter((s): s is NonNullable<typeof s> => !!s)
      .flatMap(resources)
      .filter((r) => r.Type === "AWS::SQS::Queue");
    expect(queueAlarms).toHaveLength(queues.length);
  });

  it("keeps every alarms stack within CloudFormation's resource limit and never imports an export", () => {
    for (const stack of [warden.monitoring.monitoring, ...warden.monitoring.alarms]) {
      const json = JSON.stringify(warden.template(stack).toJSON());
      expect(resources(stack).length, stack.stackName).toBeLessThanOrEqual(500);
      expect(json, stack.stackName).not.toContain("Fn::ImportValue");
    }
  });

  it("sends alerts through one KMS-encrypted topic, with the -c alertEmail subscription", () => {
    const all = resources(warden.monitoring.monitoring);
    const topics = all.filter((r) => r.Type === "AWS::SNS::Topic");
    expect(topics).toHaveLength(1);
    expect(topics[0]?.Properties).toMatchObject({ TopicName: "warden-alerts" });
    expect(topics[0]?.Properties.KmsMasterKeyId).toBeDefined();
    expect(all.filter((r) => r.Type === "AWS::SNS::Subscription").map((r) => r.Properties)).toEqual([
      expect.objectContaining({ Protocol: "email", Endpoint: "oncall@example.com" }),
    ]);
    expect(all.filter((r) => r.Type === "AWS::CloudWatch::Dashboard")).toHaveLength(1);
  });

  it("turns on the stage's per-route metrics the dashboard graphs with -c apiRouteMetrics=true", () => {
    warden.template(warden.stage).hasResourceProperties("AWS::ApiGatewayV2::Stage", {
      DefaultRouteSettings: { DetailedMetricsEnabled: true },
    });
  });
});

describe("cdk-nag Serverless pack", () => {
  it("has no unacknowledged finding in any stack", () => {
    const report = new ServerlessChecks().validateScope(warden.app);
    const findings = report.violations.flatMap((v) =>
      v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath ?? "?"}`),
    );
    expect(findings).toEqual([]);
  });
});
