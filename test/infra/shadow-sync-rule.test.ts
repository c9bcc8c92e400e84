/**
 * The gateway-reported sync states, deployed: an IoT topic rule on the named shadows'
 * `update/documents` (only reported sync-state changes) invokes the `iot-shadow-sync-events` worker's
 * `live` alias asynchronously (retries, on-failure queue), and the realtime stack lets that worker's
 * role, like the table-stream fan-out's, post to the WebSocket APIs' `@connections` and nothing more.
 */
import { Match, type Template } from "aws-cdk-lib/assertions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { routeFiles } from "#infra/routes.ts";
import { type IotStack, SHADOW_SYNC_SQL } from "#infra/stacks/iot-stack.ts";
import { RealtimeStack } from "#infra/stacks/realtime-stack.ts";
import { workers } from "#infra/workers.ts";
import { nagFindings, type SynthesizedWarden, synthWarden } from "./synth-app.ts";

const WORKER = "iot-shadow-sync-events";
const needed = new Set(["realtime-authorize", "workers-realtime-fanout", WORKER]);

describe("the shadow sync-state rule and its worker", () => {
  let warden: SynthesizedWarden;
  let iot: IotStack;
  let template: Template;
  let realtime: RealtimeStack;

  beforeAll(async () => {
    warden = await synthWarden({
      routeFiles: { realtime: routeFiles.realtime ?? [] },
      workers: workers.filter((w) => needed.has(w.id)),
    });
    if (!warden.iot) throw new Error("expected an IoT stack");
    iot = warden.iot;
    template = warden.template(iot);
    const found = warden.stacks.find((s): s is RealtimeStack => s instanceof RealtimeStack);
    if (!found) throw new Error("expected a realtime stack");
    realtime = found;
  }, 600_000);
  afterAll(() => warden?.cleanup());

  it("filters the named shadows' full documents to reported sync-state changes", () => {
    expect(SHADOW_SYNC_SQL).toContain("FROM '$aws/things/+/shadow/name/+/update/documents' WHERE ");
    for (const field of ["status", "config_version", "failed_version", "drift"]) {
      expect(SHADOW_SYNC_SQL).toContain(`previous.state.reported.${field} <> current.state.reported.${field}`);
      expect(SHADOW_SYNC_SQL).toContain(`isUndefined(previous.state.reported.${field})`);
    }
    // Only the reported states and the topic reach the worker (tenant and gateway come from the topic).
    expect(SHADOW_SYNC_SQL).toMatch(
      /^SELECT previous\.state\.reported AS previous, current\.state\.reported AS current, topic\(\) AS topic FROM /,
    );
  });

  it("invokes the worker's live alias through one topic rule with an error action", () => {
    template.resourceCountIs("AWS::IoT::TopicRule", 1);
    const [aliasId] = Object.keys(template.findResources("AWS::Lambda::Alias", { Properties: { Name: "live" } }));
    template.hasResourceProperties("AWS::IoT::TopicRule", {
      TopicRulePayload: Match.objectLike({
        Sql: SHADOW_SYNC_SQL,
        Actions: [{ Lambda: { FunctionArn: { Ref: aliasId } } }],
        ErrorAction: { CloudwatchLogs: Match.objectLike({ LogGroupName: Match.anyValue() }) },
      }),
    });
    const [ruleId] = Object.keys(template.findResources("AWS::IoT::TopicRule"));
    template.hasResourceProperties("AWS::Lambda::Permission", {
      Principal: "iot.amazonaws.com",
      SourceArn: { "Fn::GetAtt": [ruleId, "Arn"] },
    });
  });

  it("retries a failed invocation twice, then keeps it in the worker's on-failure queue", () => {
    const fn = iot.ingestFunctions.get(WORKER);
    expect(fn?.failureQueue).toBeDefined();
    template.hasResourceProperties("AWS::Lambda::EventInvokeConfig", {
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 3600,
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
  });

  it("grants the worker's role execute-api:ManageConnections on the WebSocket stages only", () => {
    const fn = iot.ingestFunctions.get(WORKER);
    if (!fn) throw new Error("worker missing");
    const policies = Object.values(
      warden.template(realtime).findResources("AWS::IAM::Policy", {
        Properties: {
          PolicyDocument: {
            Statement: Match.arrayWith([Match.objectLike({ Action: "execute-api:ManageConnections" })]),
          },
        },
      }),
    );
    const fanOut = policies.find((p) => (p.Properties.Roles as unknown[]).length === 2);
    expect(fanOut, "one policy for the two posting workers").toBeDefined();
    const statements = fanOut?.Properties.PolicyDocument.Statement as { Action: string; Resource: unknown[] }[];
    expect(statements.map((s) => s.Action)).toEqual(["execute-api:ManageConnections"]);
    for (const arn of statements[0]?.Resource ?? [])
      expect(JSON.stringify(arn)).toMatch(/live\/(POST|DELETE)\/@connections\/\*/);
    // The worker's own policies (IoT stack) hold no execute-api action.
    const own = JSON.stringify(template.findResources("AWS::IAM::Policy"));
    expect(own).not.toContain("execute-api");
  });

  it("leaves no unacknowledged AwsSolutions finding in the IoT and realtime stacks", () => {
    expect(nagFindings(iot)).toEqual([]);
    expect(nagFindings(realtime)).toEqual([]);
  });
});
