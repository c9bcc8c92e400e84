/**
 * The front door and safe releases (issue 17): per-route throttles, reserved concurrency, `live`
 * aliases (and CodeDeploy canaries with -c canary=true), termination protection, tags, the custom
 * domain and the CloudFront + WAF option. Built from the real sign-in route file and two real
 * workers, so the rows decide what is public, as they do in the full app.
 */
import type { Stack } from "aws-cdk-lib";
import { Match, type Template } from "aws-cdk-lib/assertions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signInRoutes } from "#infra/routes/sign-in.ts";
import { DEFAULT_CONCURRENCY, MIN_UNRESERVED_CONCURRENCY, reservedConcurrency } from "#infra/stacks/app-factory.ts";
import { EDGE_RATE_LIMITS, MANAGED_RULE_GROUPS } from "#infra/stacks/edge-stack.ts";
import {
  apiGatewayPath,
  apiGatewayRouteKey,
  isPublicSignIn,
  PUBLIC_SIGN_IN_THROTTLES,
  ROUTE_THROTTLES,
} from "#infra/stacks/routes-stack.ts";
import { workers as allWorkers } from "#infra/workers.ts";
import { routeKey } from "#shared/kit/route.ts";
import { nagFindings, nistFindings, type SynthesizedWarden, synthWarden } from "./synth-app.ts";

const workers = allWorkers.filter((w) => w.id === "iot-ingest" || w.id === "workers-webhook-dispatch");
const routeFiles = { "sign-in": signInRoutes };
const publicSignIn = signInRoutes.filter(isPublicSignIn);
const domain = { domainName: "api.example.com", certificateArn: "arn:aws:acm:us-east-1:111111111111:certificate/abc" };

/** The function with `description` and the template that holds it. */
function functionIn(warden: SynthesizedWarden, description: string): { template: Template; id: string; props: any } {
  const stacks: Stack[] = [
    ...warden.routeStacks,
    ...(warden.iot ? [warden.iot] : []),
    ...(warden.workers ? [warden.workers] : []),
  ];
  for (const stack of stacks) {
    const template = warden.template(stack);
    const found = Object.entries(
      template.findResources("AWS::Lambda::Function", { Properties: { Description: description } }),
    );
    const [entry] = found;
    if (entry) return { template, id: entry[0], props: entry[1].Properties };
  }
  throw new Error(`no function '${description}'`);
}

function allFunctionTemplates(warden: SynthesizedWarden): Template[] {
  return [...warden.routeStacks, warden.iot, warden.workers].flatMap((s) => (s ? [warden.template(s)] : []));
}

describe("front door and releases, by default", () => {
  let warden: SynthesizedWarden;
  beforeAll(async () => {
    warden = await synthWarden({ routeFiles, workers, stage: "staging" });
  }, 600_000);
  afterAll(() => warden?.cleanup());

  it("derives the public sign-in routes from the rows: no permission and an auth rate class", () => {
    expect(publicSignIn.map(routeKey).sort()).toEqual(
      ["POST /api/auth/login", "POST /api/auth/login/2fa", "POST /api/auth/signup", "POST /api/v1/auth/token"].sort(),
    );
  });

  it("throttles every HTTP route at the stage, the public sign-in routes strictest", () => {
    const [stage] = Object.values(warden.template(warden.stage).findResources("AWS::ApiGatewayV2::Stage"));
    const settings = stage?.Properties.RouteSettings as Record<
      string,
      { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }
    >;
    expect(Object.keys(settings).sort()).toEqual(signInRoutes.map(apiGatewayRouteKey).sort());
    for (const route of publicSignIn) {
      const expected = PUBLIC_SIGN_IN_THROTTLES[route.rateClass];
      expect(settings[apiGatewayRouteKey(route)], routeKey(route)).toEqual({
        ThrottlingRateLimit: expected?.rateLimit,
        ThrottlingBurstLimit: expected?.burstLimit,
      });
      expect(expected?.rateLimit ?? 0).toBeLessThanOrEqual(10);
    }
    const logout = signInRoutes.find((r) => r.path === "/api/auth/logout");
    if (!logout) throw new Error("no logout row");
    expect(settings[apiGatewayRouteKey(logout)]?.ThrottlingRateLimit).toBe(ROUTE_THROTTLES[logout.rateClass].rateLimit);
    expect(ROUTE_THROTTLES[logout.rateClass].rateLimit).toBeGreaterThan(PUBLIC_SIGN_IN_THROTTLES.auth?.rateLimit ?? 0);
  });

  it("writes the stage only after every route stack (API Gateway refuses settings for unknown routes)", () => {
    const dependencies = warden.stage.dependencies.map((s) => s.stackName);
    for (const routes of warden.routeStacks) expect(dependencies).toContain(routes.stackName);
  });

  it("reserves concurrency for the public sign-in routes, the ingest and the workers only", () => {
    for (const route of signInRoutes.filter((r) => r.method !== "WEBSOCKET")) {
      const { props } = functionIn(warden, routeKey(route));
      expect(props.ReservedConcurrentExecutions, routeKey(route)).toBe(
        isPublicSignIn(route) ? DEFAULT_CONCURRENCY.auth : undefined,
      );
    }
    const ingest = warden.template(warden.iot as Stack).findResources("AWS::Lambda::Function", {
      Properties: { Description: Match.stringLikeRegexp("^IoT ingest") },
    });
    expect(Object.values(ingest).map((f) => f.Properties.ReservedConcurrentExecutions)).toEqual([
      DEFAULT_CONCURRENCY.ingest,
    ]);
    const { props: dispatch } = functionIn(warden, "Worker workers-webhook-dispatch (table-stream)");
    expect(dispatch.ReservedConcurrentExecutions).toBe(DEFAULT_CONCURRENCY.worker);
    expect(warden.concurrency).toEqual({
      reserved: 4 * DEFAULT_CONCURRENCY.auth + DEFAULT_CONCURRENCY.ingest + DEFAULT_CONCURRENCY.worker,
      unreserved: 1000 - (4 * DEFAULT_CONCURRENCY.auth + DEFAULT_CONCURRENCY.ingest + DEFAULT_CONCURRENCY.worker),
    });
  });

  it("refuses at synth a reservation that leaves the account fewer than 100 unreserved", () => {
    const counts = { auth: 4, ingest: 1, worker: 28 };
    expect(reservedConcurrency(DEFAULT_CONCURRENCY, counts)).toEqual({ reserved: 410, unreserved: 590 });
    expect(() => reservedConcurrency({ auth: 100, ingest: 100, worker: 20 }, counts)).toThrow(
      /= 1060 leaves -60 of the account's 1000 unreserved; Lambda needs at least 100/,
    );
    const edge = reservedConcurrency({ auth: 0, ingest: 0, worker: 1 }, { auth: 0, ingest: 0, worker: 900 });
    expect(edge.unreserved).toBe(MIN_UNRESERVED_CONCURRENCY);
  });

  it("gives every function a version and a `live` alias, and every trigger invokes the alias", () => {
    for (const template of allFunctionTemplates(warden)) {
      const functions = Object.keys(
        template.findResources("AWS::Lambda::Function", { Properties: { Runtime: "nodejs22.x" } }),
      );
      const aliases = Object.values(template.findResources("AWS::Lambda::Alias"));
      expect(aliases.map((a) => a.Properties.FunctionName.Ref).sort()).toEqual(functions.sort());
      for (const alias of aliases) {
        expect(alias.Properties.Name).toBe("live");
        expect(alias.Properties.FunctionVersion["Fn::GetAtt"]?.[1]).toBe("Version");
      }
      // No integration, permission or event source names a function without its alias.
      for (const integration of Object.values(template.findResources("AWS::ApiGatewayV2::Integration")))
        expect(integration.Properties.IntegrationUri.Ref, "integration").toBeDefined();
      for (const mapping of Object.values(template.findResources("AWS::Lambda::EventSourceMapping")))
        expect(JSON.stringify(mapping.Properties.FunctionName)).toContain('":live"');
      for (const permission of Object.values(template.findResources("AWS::Lambda::Permission")))
        expect(permission.Properties.FunctionName.Ref ?? "", "invoke permission").not.toBe("");
    }
    // The stream's mapping names the function qualified by its alias: `<function>:live`.
    const dispatch = functionIn(warden, "Worker workers-webhook-dispatch (table-stream)");
    const [aliasId] = Object.keys(
      dispatch.template.findResources("AWS::Lambda::Alias", { Properties: { FunctionName: { Ref: dispatch.id } } }),
    );
    const mappings = Object.values(dispatch.template.findResources("AWS::Lambda::EventSourceMapping"));
    expect(mappings).toHaveLength(1);
    const name = JSON.stringify(mappings[0]?.Properties.FunctionName);
    expect(name).toContain(`{"Ref":"${aliasId}"}`);
    expect(name).toContain('":live"');
  });

  it("makes no CodeDeploy deployment group without -c canary=true", () => {
    for (const template of allFunctionTemplates(warden)) {
      template.resourceCountIs("AWS::CodeDeploy::DeploymentGroup", 0);
    }
  });

  it("protects the data stack from termination, and no other", () => {
    expect(warden.data.terminationProtection).toBe(true);
    const manifest = warden.assembly.getStackArtifact(warden.data.artifactId);
    expect(manifest.terminationProtection).toBe(true);
    for (const stack of warden.stacks.filter((s) => s !== warden.data)) expect(stack.terminationProtection).toBeFalsy();
  });

  it("tags every stack with the application, the deployment and the stage", () => {
    for (const stack of warden.stacks) {
      const tags = warden.assembly.getStackArtifact(stack.artifactId).tags;
      expect(tags, stack.stackName).toMatchObject({ Application: "Warden", Deployment: "Warden", Stage: "staging" });
    }
    const { props } = functionIn(warden, "POST /api/auth/login");
    expect(props.Tags).toEqual(expect.arrayContaining([{ Key: "Stage", Value: "staging" }]));
  });

  it("serves the execute-api endpoint with no custom domain and no edge stack", () => {
    warden.template(warden.stage).resourceCountIs("AWS::ApiGatewayV2::DomainName", 0);
    expect(warden.edge).toBeUndefined();
  });

  it("passes cdk-nag AwsSolutions and NIST 800-53 r5 with no unacknowledged finding", () => {
    for (const stack of warden.stacks) {
      expect(nagFindings(stack), stack.stackName).toEqual([]);
      expect(nistFindings(stack), stack.stackName).toEqual([]);
    }
  });
});

describe("with -c canary=true and a custom domain", () => {
  let warden: SynthesizedWarden;
  beforeAll(async () => {
    warden = await synthWarden({ routeFiles, workers, canary: true, domain });
  }, 600_000);
  afterAll(() => warden?.cleanup());

  it("shifts every function's live alias by a CodeDeploy canary that rolls back on the alias's errors", () => {
    for (const template of allFunctionTemplates(warden)) {
      const functions = Object.keys(
        template.findResources("AWS::Lambda::Function", { Properties: { Runtime: "nodejs22.x" } }),
      );
      const groups = Object.values(template.findResources("AWS::CodeDeploy::DeploymentGroup"));
      expect(groups).toHaveLength(functions.length);
      template.resourceCountIs("AWS::CodeDeploy::Application", 1);
      for (const group of groups) {
        expect(group.Properties.DeploymentConfigName).toBe("CodeDeployDefault.LambdaCanary10Percent5Minutes");
        expect(group.Properties.AutoRollbackConfiguration).toEqual({
          Enabled: true,
          Events: expect.arrayContaining([
            "DEPLOYMENT_FAILURE",
            "DEPLOYMENT_STOP_ON_REQUEST",
            "DEPLOYMENT_STOP_ON_ALARM",
          ]),
        });
        expect(group.Properties.AlarmConfiguration.Enabled).toBe(true);
        expect(group.Properties.AlarmConfiguration.Alarms.length).toBeGreaterThanOrEqual(1);
      }
      // Each alias is updated through CodeDeploy, and one alarm per alias watches that alias's errors.
      const aliases = Object.entries(template.findResources("AWS::Lambda::Alias"));
      for (const [id, alias] of aliases) expect(alias.UpdatePolicy?.CodeDeployLambdaAliasUpdate, id).toBeDefined();
      const alarms = Object.values(
        template.findResources("AWS::CloudWatch::Alarm", {
          Properties: { MetricName: "Errors", Namespace: "AWS/Lambda", Threshold: 1 },
        }),
      );
      expect(alarms).toHaveLength(aliases.length);
      for (const alarm of alarms) expect(JSON.stringify(alarm.Properties.Dimensions)).toContain(":live");
    }
  });

  it("keeps a route stack within CloudFormation's 500 resources at 40 routes with canaries", () => {
    for (const stack of warden.routeStacks) {
      const resources = Object.keys(warden.assembly.getStackArtifact(stack.artifactId).template.Resources ?? {}).length;
      const routes = Object.keys(warden.template(stack).findResources("AWS::ApiGatewayV2::Route")).length;
      // 11 per route and 2 per stack, plus the token public-key lookup resource where the stack has
      // verifiers: the arithmetic behind ROUTES_PER_STACK = 40.
      const lookups = Object.keys(warden.template(stack).findResources("Custom::WardenTokenPublicKeys")).length;
      expect(lookups).toBeLessThanOrEqual(1);
      expect(resources).toBe(routes * 11 + 2 + lookups);
    }
  });

  it("maps the custom domain to the stage and switches the execute-api endpoint off", () => {
    const stage = warden.template(warden.stage);
    stage.hasResourceProperties("AWS::ApiGatewayV2::DomainName", {
      DomainName: domain.domainName,
      DomainNameConfigurations: [
        Match.objectLike({
          CertificateArn: domain.certificateArn,
          EndpointType: "REGIONAL",
          SecurityPolicy: "TLS_1_2",
        }),
      ],
    });
    const [stageId] = Object.keys(stage.findResources("AWS::ApiGatewayV2::Stage"));
    stage.hasResource("AWS::ApiGatewayV2::ApiMapping", {
      Properties: { Stage: "$default", DomainName: { Ref: Match.anyValue() } },
      DependsOn: [stageId],
    });
    stage.hasOutput("ApiUrl", { Value: `https://${domain.domainName}/` });
    warden.template(warden.api).hasResourceProperties("AWS::ApiGatewayV2::Api", { DisableExecuteApiEndpoint: true });
  });

  it("passes cdk-nag AwsSolutions and NIST 800-53 r5 with no unacknowledged finding", () => {
    for (const stack of warden.stacks) {
      expect(nagFindings(stack), stack.stackName).toEqual([]);
      expect(nistFindings(stack), stack.stackName).toEqual([]);
    }
  });
});

describe("with -c waf=true", () => {
  let warden: SynthesizedWarden;
  let edge: Template;
  beforeAll(async () => {
    warden = await synthWarden({ routeFiles, workers, waf: true, domain });
    if (!warden.edge) throw new Error("expected an edge stack");
    edge = warden.template(warden.edge);
  }, 600_000);
  afterAll(() => warden?.cleanup());

  it("puts CloudFront with a CLOUDFRONT-scope web ACL in front of the execute-api endpoint", () => {
    edge.hasResourceProperties("AWS::WAFv2::WebACL", { Scope: "CLOUDFRONT", DefaultAction: { Allow: {} } });
    const [aclId] = Object.keys(edge.findResources("AWS::WAFv2::WebACL"));
    edge.hasResourceProperties("AWS::CloudFront::Distribution", {
      DistributionConfig: Match.objectLike({
        WebACLId: { "Fn::GetAtt": [aclId, "Arn"] },
        Aliases: [domain.domainName],
        DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: "https-only" }),
        Origins: [Match.objectLike({ CustomOriginConfig: Match.objectLike({ OriginProtocolPolicy: "https-only" }) })],
      }),
    });
    // The domain is CloudFront's: no API Gateway domain, and the origin endpoint stays on.
    warden.template(warden.stage).resourceCountIs("AWS::ApiGatewayV2::DomainName", 0);
    warden.template(warden.api).hasResourceProperties("AWS::ApiGatewayV2::Api", {
      DisableExecuteApiEndpoint: Match.absent(),
    });
  });

  it("rate-limits the public sign-in paths per address, tighter than everything else, then the managed groups", () => {
    const [acl] = Object.values(edge.findResources("AWS::WAFv2::WebACL"));
    const rules = acl?.Properties.Rules as { Name: string; Priority: number; Statement: any }[];
    expect(rules.map((r) => r.Name)).toEqual(["RateLimitSignIn", "RateLimitAll", ...MANAGED_RULE_GROUPS]);
    const signIn = rules[0]?.Statement.RateBasedStatement;
    expect(signIn.Limit).toBe(EDGE_RATE_LIMITS.signIn);
    expect(signIn.Limit).toBeLessThan(EDGE_RATE_LIMITS.all);
    expect(signIn.AggregateKeyType).toBe("IP");
    const paths = signIn.ScopeDownStatement.OrStatement.Statements.map(
      (s: any) => s.ByteMatchStatement.SearchString as string,
    );
    expect(paths.sort()).toEqual(publicSignIn.map((r) => apiGatewayPath(r.path)).sort());
  });

  it("logs WAF's decisions with the credentials redacted", () => {
    edge.hasResourceProperties("AWS::Logs::LogGroup", { LogGroupName: "aws-waf-logs-warden" });
    edge.hasResourceProperties("AWS::WAFv2::LoggingConfiguration", {
      RedactedFields: Match.arrayWith([
        { SingleHeader: { Name: "authorization" } },
        { SingleHeader: { Name: "x-api-key" } },
      ]),
    });
  });

  it("passes cdk-nag AwsSolutions and NIST 800-53 r5 with no unacknowledged finding", () => {
    for (const stack of warden.stacks) {
      expect(nagFindings(stack), stack.stackName).toEqual([]);
      expect(nistFindings(stack), stack.stackName).toEqual([]);
    }
  });
});
