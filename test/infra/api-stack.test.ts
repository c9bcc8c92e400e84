import { Match, type Template } from "aws-cdk-lib/assertions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nagFindings, nistFindings, type SynthesizedWarden, synthWarden } from "./synth-app.ts";

let warden: SynthesizedWarden;
let api: Template;
let stage: Template;

beforeAll(async () => {
  warden = await synthWarden({ routeFiles: {}, workers: [] });
  api = warden.template(warden.api);
  stage = warden.template(warden.stage);
}, 240_000);
afterAll(() => warden?.cleanup());

describe("api stack", () => {
  it("is one HTTP API with no CORS preflight configured and its execute-api endpoint on", () => {
    api.resourceCountIs("AWS::ApiGatewayV2::Api", 1);
    api.hasResourceProperties("AWS::ApiGatewayV2::Api", {
      ProtocolType: "HTTP",
      CorsConfiguration: Match.absent(),
      DisableExecuteApiEndpoint: Match.absent(),
    });
  });

  it("keeps the stage in a stack of its own, so per-route settings are written after the routes", () => {
    api.resourceCountIs("AWS::ApiGatewayV2::Stage", 0);
    stage.resourceCountIs("AWS::ApiGatewayV2::Stage", 1);
    stage.hasResourceProperties("AWS::ApiGatewayV2::Stage", {
      StageName: "$default",
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 1000, ThrottlingBurstLimit: 500 },
    });
  });

  it("writes JSON access logs to a log group with retention, kept in the API stack", () => {
    const groups = api.findResources("AWS::Logs::LogGroup", { Properties: { RetentionInDays: 365 } });
    expect(Object.keys(groups)).toHaveLength(1);
    stage.hasResourceProperties("AWS::ApiGatewayV2::Stage", {
      AccessLogSettings: {
        DestinationArn: { "Fn::ImportValue": Match.anyValue() },
        Format: Match.serializedJson(Match.objectLike({ requestId: "$context.requestId", status: "$context.status" })),
      },
    });
  });

  it("publishes the API URL", () => {
    stage.hasOutput("ApiUrl", {});
  });

  it("passes cdk-nag AwsSolutions and NIST 800-53 r5 with no unacknowledged finding", () => {
    for (const stack of [warden.api, warden.stage]) {
      expect(nagFindings(stack)).toEqual([]);
      expect(nistFindings(stack)).toEqual([]);
    }
  });
});
