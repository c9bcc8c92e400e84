/**
 * The workflows stack: one state machine per definition of shared/workflows/definitions.ts, with
 * the definition text local mode runs, logging and tracing on, a role that may invoke exactly its
 * task functions, functions that find it by name with least privilege — and the synthesized
 * definition itself executed locally (aws-local-stepfunctions), so a definition that cannot run
 * fails the build.
 */
import { resolve } from "node:path";
import type { Template } from "aws-cdk-lib/assertions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalIot, usePlatformWithLocalIot } from "#infra/local/iot/index.ts";
import { certificateRoutes } from "#infra/routes/certificates.ts";
import {
  certificateRenewal,
  cloudScan,
  taskFunctionId,
  taskPlaceholder,
  toAsl,
  WORKFLOWS,
  workflowTasks,
} from "#shared/workflows/definitions.ts";
import { actionsOf, nagFindings, type SynthesizedWarden, statementsOfFunction, synthWarden } from "./synth-app.ts";

const iot = await startLocalIot();
await usePlatformWithLocalIot(iot);

let warden: SynthesizedWarden;
let template: Template;
type Machine = { Properties: Record<string, unknown> };
let machine: Machine;

beforeAll(async () => {
  warden = await synthWarden({ routeFiles: { certificates: certificateRoutes } });
  if (!warden.workflows) throw new Error("expected a workflows stack");
  template = warden.template(warden.workflows);
  const machines = Object.values(template.findResources("AWS::StepFunctions::StateMachine")) as Machine[];
  // One state machine per workflow of the definitions; these tests look at the renewal's.
  expect(machines).toHaveLength(WORKFLOWS.length);
  machine = machines.find((m) => m.Properties.StateMachineName === "warden-certificate-renewal") as Machine;
  const scan = machines.find((m) => m.Properties.StateMachineName === "warden-cloud-scan");
  expect(scan?.Properties.DefinitionString).toBe(JSON.stringify(toAsl(cloudScan)));
}, 240_000);
afterAll(() => warden?.cleanup());

describe("workflows stack", () => {
  it("names the state machine after its workflow and gives it the definition local mode runs", () => {
    expect(machine.Properties.StateMachineName).toBe("warden-certificate-renewal");
    expect(machine.Properties.DefinitionString).toBe(JSON.stringify(toAsl(certificateRenewal)));
    const substitutions = machine.Properties.DefinitionSubstitutions as Record<string, unknown>;
    expect(Object.keys(substitutions).sort()).toEqual(workflowTasks(certificateRenewal).map(taskPlaceholder).sort());
  });

  it("logs every event without execution data, and traces", () => {
    expect(machine.Properties.TracingConfiguration).toEqual({ Enabled: true });
    expect(machine.Properties.LoggingConfiguration).toMatchObject({ Level: "ALL", IncludeExecutionData: false });
  });

  it("lets the state machine invoke exactly its own task functions, by ARN", () => {
    const policies = Object.values(template.findResources("AWS::IAM::Policy"));
    const invokes = policies.flatMap((p) =>
      (p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]).filter((s) =>
        [s.Action].flat().includes("lambda:InvokeFunction"),
      ),
    );
    // Each state machine's role, the scheduler's (the auto-renew job only) and the scan scheduler's
    // (the scheduled gateway scan only; test/infra/iam.test.ts holds it to that function).
    expect(invokes).toHaveLength(WORKFLOWS.length + 2);
    const lengths = invokes.map((s) => [s.Resource].flat().length).sort();
    expect(lengths).toEqual([1, 1, ...WORKFLOWS.map((w) => workflowTasks(w).length)].sort());
    expect(JSON.stringify(invokes.map((s) => s.Resource))).not.toContain("*");
  });

  it("runs the certificate auto-renew job daily at 02:00 UTC through EventBridge Scheduler", () => {
    const schedules = Object.values(template.findResources("AWS::Scheduler::Schedule"));
    expect(schedules).toHaveLength(1);
    expect(schedules[0]?.Properties).toMatchObject({
      ScheduleExpression: "cron(0 2 * * ? *)",
      ScheduleExpressionTimezone: "UTC",
      FlexibleTimeWindow: { Mode: "OFF" },
    });
    expect(JSON.stringify(schedules[0]?.Properties.Target.Arn)).toContain("autorenew");
  });

  it("has no unacknowledged cdk-nag finding", () => {
    expect(nagFindings(warden.workflows as NonNullable<SynthesizedWarden["workflows"]>)).toEqual([]);
  });

  it("lets POST /certificates/renew start executions of this deployment's state machines only", () => {
    const routes = warden.routeStacks.find((s) => s.stackName.endsWith("Routes-certificates"));
    if (!routes) throw new Error("no certificates routes stack");
    const statements = statementsOfFunction(
      warden.template(routes),
      "POST /cloud-integration/security/certificates/renew",
    );
    const states = statements.filter((s) => actionsOf(s).some((a) => a.startsWith("states:")));
    expect(states.map(actionsOf)).toEqual([["states:StartExecution"]]);
    expect(JSON.stringify(states[0]?.Resource)).toContain(":stateMachine:warden-*");
  });

  it("lets a renewal task touch the table and shadows, and only the ACME steps the data key", () => {
    const workers = warden.workers;
    if (!workers) throw new Error("no workers stack");
    const t = warden.template(workers);
    const of = (task: string) => statementsOfFunction(t, `Worker ${taskFunctionId(task)} (none)`);
    // The table key is used only via DynamoDB (conditioned on kms:ViaService); the data key has no condition.
    const dataKey = (task: string) =>
      of(task)
        .filter((s) => !s.Condition && actionsOf(s).some((a) => a.startsWith("kms:")))
        .flatMap(actionsOf);
    const install = "functions/workflows/certificate-renewal/install.ts";
    const order = "functions/workflows/certificate-renewal/place-order.ts";
    expect(of(install).flatMap(actionsOf)).toContain("iot:UpdateThingShadow");
    expect(dataKey(install)).toEqual([]);
    expect(dataKey(order)).toEqual(["kms:Encrypt", "kms:GenerateDataKey", "kms:Decrypt"]);
    expect(
      of(order)
        .flatMap(actionsOf)
        .some((a) => a.startsWith("states:")),
    ).toBe(false);
  });
});

describe("the synthesized definition, executed locally", () => {
  it("runs to its failure path when the gateway never answers: the step is named and the execution ends failed", async () => {
    const { createLocalRunner } = await import("#infra/local/workflows/runner-local.ts");
    const { useWorkflowRunner } = await import("#shared/workflows/engine.ts");
    const { call, newTenant } = await import("#test/helpers/api.ts");
    const { viaTopicRule } = await import("#test/helpers/iot.ts");
    const { makeCertificate } = await import("#test/helpers/certificates-fixtures.ts");
    const { handler: ingest } = await import("#functions/iot/ingest.ts");
    // The template's text with its substitutions filled by local ARNs, as CloudFormation fills them with real ones.
    let text = machine.Properties.DefinitionString as string;
    for (const task of workflowTasks(certificateRenewal)) {
      text = text.replaceAll(
        `\${${taskPlaceholder(task)}}`,
        `arn:aws:lambda:us-east-1:000000000000:function:${taskFunctionId(task)}`,
      );
    }
    const runner = createLocalRunner({
      root: resolve(import.meta.dirname, "../.."),
      definitions: { [certificateRenewal.name]: JSON.parse(text) },
      gatewayWaitMs: 1500,
    });
    useWorkflowRunner(runner);
    const t = await newTenant("wf-synth");
    const reg = await call("POST", "/cloud-integration/security/gateways", {
      token: t.token,
      body: { name: "offline" },
    });
    const cert = await makeCertificate({ cn: "offline.warden.test", san: ["offline.warden.test"] });
    await viaTopicRule(ingest)({
      tenant: t.tenantId,
      thing: reg.body.gateway.thing_name,
      type: "certificate_inventory",
      timestamp: new Date().toISOString(),
      certificates: [{ slot: "https", certificate: cert.pem }],
      client_certificates: [],
    });

    const started = await call("POST", "/cloud-integration/security/certificates/renew", {
      token: t.token,
      body: { force: true },
    });
    await runner.settled(started.body.renewal_id);
    const progress = await call("GET", `/cloud-integration/security/certificates/renewals/${started.body.renewal_id}`, {
      token: t.token,
    });

    expect(started.status).toBe(200);
    expect(progress.body).toMatchObject({
      status: "failed",
      step: "Generating CSR",
      error: "Generating CSR: the gateway did not answer in time",
    });
    expect(runner.loaded()).toEqual(
      expect.arrayContaining([
        { name: "certificate-renewal", states: expect.arrayContaining(["RequestCsr", "RecordFailure", "Failed"]) },
        { name: "cloud-scan", states: expect.arrayContaining(["Validate", "Collect", "Evaluate", "Notify"]) },
      ]),
    );
  }, 60_000);
});
