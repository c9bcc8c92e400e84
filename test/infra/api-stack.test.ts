import { Match, type Template } from "aws-cdk-lib/assertions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nagFindings, type SynthesizedWarden, synthWarden } from "./synth-app.ts";

let warden: SynthesizedWarden;
let template: Template;

beforeAll(async () => {
  warden = await synthWarden({ routeFiles: {}, workers: [] });
  template = warden.template(warden.api);
});
afterAll(() => warden?.cleanup());

describe("api stack", () => {
  it("is one HTTP API with no CORS preflight configured", () => {
    template.resourceCountIs("AWS::ApiGatewayV2::Api", 1);
    template.hasResourceProperties("AWS::ApiGatewayV2::Api", {
      ProtocolType: "HTTP",
      CorsConfiguration: Match.absent(),
    });
  });

  it("deploys every change to the $default stage automatically, throttled by default", () => {
    template.resourceCountIs("AWS::ApiGatewayV2::Stage", 1);
    template.hasResourceProperties("AWS::ApiGatewayV2::Stage", {
      StageName: "$default",
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 1000, ThrottlingBurstLimit: 500 },
    });
  });

  it("writes JSON access logs to a log group with retention", () => {
    const groups = template.findResources("AWS::Logs::LogGroup", { Properties: { RetentionInDays: 365 } });
    const [groupId] = Object.keys(groups);
    expect(groupId).toBeDefined();
    template.hasResourceProperties("AWS::ApiGatewayV2::Stage", {
      AccessLogSettings: {
        DestinationArn: { "Fn::GetAtt": [groupId, "Arn"] },
        Format: Match.serializedJson(Match.objectLike({ requestId: "$context.requestId", status: "$context.status" })),
      },
    });
  });

  it("publishes the API URL", () => {
    template.hasOutput("ApiUrl", {});
  });

  it("passes cdk-nag AwsSolutions with no unacknowledged finding", () => {
    expect(nagFindings(warden.api)).toEqual([]);
  });
});
