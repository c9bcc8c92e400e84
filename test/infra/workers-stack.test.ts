import { Match, type Template } from "aws-cdk-lib/assertions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Worker } from "#infra/workers.ts";
import { nagFindings, type SynthesizedWarden, synthWarden } from "./synth-app.ts";

// Any existing module will do as the bundle: these tests are about wiring and IAM, not behaviour.
const fanOut: Worker = {
  id: "stream-fan-out",
  handler: "functions/platform/jwks/get.ts",
  access: { table: "RO" },
  trigger: "table-stream",
  streamFilter: { eventName: ["INSERT"] },
};
const task: Worker = {
  id: "scan-task",
  handler: "functions/securenet/auth/me.ts",
  access: { table: "RW", dataKey: "decrypt" },
  trigger: "none",
};

let warden: SynthesizedWarden;
let template: Template;

beforeAll(async () => {
  warden = await synthWarden({ routeFiles: {}, workers: [fanOut, task] });
  if (!warden.workers) throw new Error("expected a workers stack");
  template = warden.template(warden.workers);
});
afterAll(() => warden?.cleanup());

describe("workers stack", () => {
  it("builds one function per worker with the shared defaults", () => {
    template.resourceCountIs("AWS::Lambda::Function", 2);
    template.allResourcesProperties("AWS::Lambda::Function", {
      Runtime: "nodejs22.x",
      Architectures: ["arm64"],
      TracingConfig: { Mode: "Active" },
    });
  });

  it("feeds the table stream to stream workers, isolating poison records", () => {
    template.resourceCountIs("AWS::Lambda::EventSourceMapping", 1);
    template.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      EventSourceArn: { "Fn::ImportValue": Match.stringLikeRegexp("StreamArn") },
      StartingPosition: "LATEST",
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 5,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ eventName: ["INSERT"] }) }] },
    });
  });

  it("offers its functions by worker id, for a workflows stack to reference", () => {
    expect([...(warden.workers?.functions.keys() ?? [])]).toEqual(["stream-fan-out", "scan-task"]);
  });

  it("passes cdk-nag AwsSolutions with no unacknowledged finding", () => {
    if (!warden.workers) throw new Error("expected a workers stack");
    expect(nagFindings(warden.workers)).toEqual([]);
  });
});

describe("workers stack, when there are no workers", () => {
  it("is not created", async () => {
    const empty = await synthWarden({ routeFiles: {}, workers: [] });
    try {
      expect(empty.workers).toBeUndefined();
      // The monitoring stack stays: the API and the table are watched even with no functions.
      expect(empty.stacks.map((s) => s.stackName)).toEqual([
        "Warden-Data",
        "Warden-Api",
        "Warden-Stage",
        "Warden-Monitoring",
      ]);
    } finally {
      await empty.cleanup();
    }
  });
});
