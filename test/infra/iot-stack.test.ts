import { Match, type Template } from "aws-cdk-lib/assertions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GATEWAY_EVENTS_TOPIC, type IotStack } from "#infra/stacks/iot-stack.ts";
import type { Worker } from "#infra/workers.ts";
import type { RouteDef } from "#shared/kit/route.ts";
import {
  actionsOf,
  nagFindings,
  type Statement,
  type SynthesizedWarden,
  statementsOfFunction,
  synthWarden,
} from "./synth-app.ts";

// Any existing module will do as the bundle: these tests are about wiring and IAM, not behaviour.
const ingest: Worker = {
  id: "iot-ingest",
  handler: "functions/platform/jwks/get.ts",
  access: { table: "RW" },
  trigger: "iot-events",
};
const shadowRoute: RouteDef = {
  method: "PUT",
  path: "/cloud-integration/security/test/{gateway_id}",
  handler: "functions/securenet/auth/me.ts",
  permission: "gateways:write",
  surface: "gateway",
  rateClass: "general",
  access: { table: "RW", iotRegistry: "register", iotShadows: true, iotPublish: true },
};

describe("iot stack, with an ingest worker and a route that uses IoT", () => {
  let warden: SynthesizedWarden;
  let iot: IotStack;
  let template: Template;

  beforeAll(async () => {
    warden = await synthWarden({ routeFiles: { test: [shadowRoute] }, workers: [ingest] });
    if (!warden.iot) throw new Error("expected an IoT stack");
    iot = warden.iot;
    template = warden.template(iot);
  }, 240_000);
  afterAll(() => warden?.cleanup());

  it("sends gateway events to the ingest function through one topic rule", () => {
    template.resourceCountIs("AWS::IoT::TopicRule", 1);
    const [aliasId] = Object.keys(template.findResources("AWS::Lambda::Alias", { Properties: { Name: "live" } }));
    template.hasResourceProperties("AWS::IoT::TopicRule", {
      TopicRulePayload: Match.objectLike({
        // The payload stays opaque beside the topic: a device cannot add a `tenant` key of its own.
        Sql: `SELECT encode(*, 'base64') AS payload, topic() AS topic FROM '${GATEWAY_EVENTS_TOPIC}'`,
        // The released version (the `live` alias), never $LATEST.
        Actions: [{ Lambda: { FunctionArn: { Ref: aliasId } } }],
        ErrorAction: { CloudwatchLogs: Match.objectLike({ LogGroupName: Match.anyValue() }) },
      }),
    });
    expect(GATEWAY_EVENTS_TOPIC).toBe("warden/+/+/events");
  });

  it("lets only that rule invoke the ingest function", () => {
    const [ruleId] = Object.keys(template.findResources("AWS::IoT::TopicRule"));
    template.hasResourceProperties("AWS::Lambda::Permission", {
      Principal: "iot.amazonaws.com",
      SourceArn: { "Fn::GetAtt": [ruleId, "Arn"] },
    });
  });

  it("looks up the IoT data endpoint at deploy time, not at synth", () => {
    template.hasResourceProperties("Custom::AWS", {
      Create: Match.serializedJson(
        Match.objectLike({ service: "Iot", action: "describeEndpoint", parameters: { endpointType: "iot:Data-ATS" } }),
      ),
    });
    const routeStack = warden.routeStacks[0];
    if (!routeStack) throw new Error("expected a route stack");
    warden.template(routeStack).hasResourceProperties("AWS::Lambda::Function", {
      Environment: { Variables: Match.objectLike({ IOT_ENDPOINT_ADDRESS: { "Fn::ImportValue": Match.anyValue() } }) },
    });
  });

  it("scopes IoT permissions to Warden's things, certificates, policies and topics", () => {
    const routeStack = warden.routeStacks[0];
    if (!routeStack) throw new Error("expected a route stack");
    const statements = statementsOfFunction(warden.template(routeStack), `PUT ${shadowRoute.path}`);
    const iotStatements = statements.filter((s) => actionsOf(s).some((a) => a.startsWith("iot:")));
    const resourceOf = (action: string) =>
      JSON.stringify(iotStatements.filter((s) => actionsOf(s).includes(action)).map((s) => s.Resource));
    // Things only through the tenant session (next test): the route's own role names no thing.
    expect(resourceOf("iot:UpdateThingShadow")).toBe("[]");
    expect(resourceOf("iot:CreateThing")).toBe("[]");
    expect(JSON.stringify(iotStatements)).not.toContain(":thing/");
    expect(resourceOf("iot:DeleteCertificate")).toContain(":cert/*");
    // Only the static gateway policy may be attached or detached; no policy is created or deleted.
    for (const action of ["iot:AttachPolicy", "iot:DetachPolicy"]) {
      expect(resourceOf(action)).toContain(':policy/warden-gateway"');
      expect(resourceOf(action)).toContain(":cert/*");
      expect(resourceOf(action)).not.toContain(":policy/warden-*");
    }
    const allActions = iotStatements.flatMap(actionsOf);
    expect(allActions).not.toContain("iot:CreatePolicy");
    expect(allActions).not.toContain("iot:DeletePolicy");
    expect(allActions.filter((a) => /^iot:(\*|.*Policy\*)$/.test(a))).toEqual([]);
    expect(resourceOf("iot:Publish")).toContain(":topic/warden/*");
    // Only the action IoT cannot scope gets "*"; the endpoint is configured, so no DescribeEndpoint.
    const star = iotStatements.filter((s) => s.Resource === "*").flatMap(actionsOf);
    expect(star.sort()).toEqual(["iot:CreateKeysAndCertificate"]);
  });

  it("gives the tenant-access role the thing actions on the session's own tenant's things only (warden_<tenant>_*)", () => {
    const roles = warden.template(warden.data).findResources("AWS::IAM::Role", {
      Properties: { Description: Match.stringLikeRegexp("tenant") },
    });
    const [roleId] = Object.keys(roles);
    if (!roleId) throw new Error("expected the tenant-access role");
    const policies = Object.values(warden.template(warden.data).findResources("AWS::IAM::Policy")).filter((p) =>
      JSON.stringify(p.Properties.Roles).includes(roleId),
    );
    const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
    const onThings = statements.filter((s) => JSON.stringify(s.Resource).includes(":thing/"));
    expect(onThings).toHaveLength(1);
    const [things] = onThings;
    expect(actionsOf(things as Statement).sort()).toEqual(
      [
        "iot:AttachThingPrincipal",
        "iot:CreateThing",
        "iot:DeleteThing",
        "iot:DeleteThingShadow",
        "iot:DetachThingPrincipal",
        "iot:GetThingShadow",
        "iot:UpdateThingShadow",
      ].sort(),
    );
    const resource = JSON.stringify(things?.Resource);
    expect(resource).toContain(`:thing/warden_\${aws:PrincipalTag/tenant}_*`);
    // Never the prefix-only patterns that span tenants.
    expect(JSON.stringify(statements)).not.toMatch(/:thing\/(warden-)?\*/);
    expect(JSON.stringify(statements)).not.toContain(":thing/warden-");
    expect(nagFindings(warden.data)).toEqual([]);
  });

  it("creates the one static gateway policy, a template with thing policy variables", () => {
    template.resourceCountIs("AWS::IoT::Policy", 1);
    const [policy] = Object.values(template.findResources("AWS::IoT::Policy"));
    expect(policy?.Properties.PolicyName).toBe("warden-gateway");
    const thing = `\${iot:Connection.Thing.ThingName}`;
    const tenant = `\${iot:Connection.Thing.Attributes[tenant]}`;
    const doc = JSON.stringify(policy?.Properties.PolicyDocument);
    // The variables reach IoT Core verbatim: no Fn::Sub could have eaten them.
    expect(doc).toContain(`client/${thing}`);
    expect(doc).toContain(`topic/warden/${tenant}/${thing}/events`);
    expect(doc).toContain(`topicfilter/$aws/things/${thing}/shadow/name/firewall/update/delta`);
    expect(doc).not.toContain("Fn::Sub");
    expect(doc).not.toContain("*");
    template.hasResourceProperties("AWS::IoT::Policy", {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: "iot:Connect",
            Condition: { Bool: { "iot:Connection.Thing.IsAttached": "true" } },
            // Region and account from the stack's pseudo parameters, joined in.
            Resource: [{ "Fn::Join": ["", Match.arrayWith([{ Ref: "AWS::Partition" }, { Ref: "AWS::Region" }])] }],
          }),
        ]),
      },
    });
  });

  it("hands the policy name to the registry function", () => {
    const routeStack = warden.routeStacks[0];
    if (!routeStack) throw new Error("expected a route stack");
    warden.template(routeStack).hasResourceProperties("AWS::Lambda::Function", {
      Environment: { Variables: Match.objectLike({ IOT_GATEWAY_POLICY_NAME: "warden-gateway" }) },
    });
  });

  it("passes cdk-nag AwsSolutions with no unacknowledged finding", () => {
    expect(nagFindings(iot)).toEqual([]);
    for (const stack of warden.routeStacks) expect(nagFindings(stack)).toEqual([]);
  });
});

describe("iot stack, when nothing uses IoT", () => {
  let warden: SynthesizedWarden;

  beforeAll(async () => {
    warden = await synthWarden({ routeFiles: {}, workers: [] });
  });
  afterAll(() => warden?.cleanup());

  it("is not created, so no topic rule, gateway policy or endpoint lookup exist", () => {
    expect(warden.iot).toBeUndefined();
    for (const stack of warden.stacks) {
      warden.template(stack).resourceCountIs("AWS::IoT::TopicRule", 0);
      warden.template(stack).resourceCountIs("AWS::IoT::Policy", 0);
      warden.template(stack).resourceCountIs("Custom::AWS", 0);
    }
  });
});
