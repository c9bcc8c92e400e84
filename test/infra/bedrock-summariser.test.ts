/**
 * The optional Bedrock summariser of the insights summary: `-c bedrockModelId=` lets the summary
 * route alone invoke that one model (and tells it which); no other insights route gets either, and
 * a deployment without the option grants `bedrock:*` to nobody.
 */
import { App, Stack } from "aws-cdk-lib";
import type { Template } from "aws-cdk-lib/assertions";
import { Key } from "aws-cdk-lib/aws-kms";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accessStatements } from "#infra/constructs/access-policy.ts";
import { insightsRoutes } from "#infra/routes/insights.ts";
import { routeKey } from "#shared/kit/route.ts";
import { actionsOf, type SynthesizedWarden, statementsOfFunction, synthWarden } from "./synth-app.ts";

const MODEL = "anthropic.claude-3-5-haiku-20241022-v1:0";
let warden: SynthesizedWarden;
let routes: Template;

beforeAll(async () => {
  warden = await synthWarden({ routeFiles: { insights: insightsRoutes }, workers: [], bedrockModelId: MODEL });
  const stack = warden.routeStacks[0];
  if (!stack) throw new Error("expected the insights routes stack");
  routes = warden.template(stack);
}, 240_000);
afterAll(() => warden?.cleanup());

const bedrockStatements = (template: Template, description: string) =>
  statementsOfFunction(template, description).filter((s) => actionsOf(s).some((a) => a.startsWith("bedrock:")));
const environmentOf = (template: Template, description: string): Record<string, unknown> => {
  const [fn] = Object.values(
    template.findResources("AWS::Lambda::Function", { Properties: { Description: description } }),
  );
  return fn?.Properties.Environment.Variables ?? {};
};

describe("Bedrock summariser (-c bedrockModelId)", () => {
  it("lets the summary route alone invoke that one model, and tells only it the model id", () => {
    const summary = insightsRoutes.filter((r) => r.access.summariserModel).map((r) => r.path);
    expect(summary).toEqual(["/api/insights/summary"]);
    for (const route of insightsRoutes.filter((r) => r.method !== "WEBSOCKET")) {
      const statements = bedrockStatements(routes, routeKey(route));
      const env = environmentOf(routes, routeKey(route));
      if (route.access.summariserModel) {
        expect(statements).toHaveLength(1);
        expect(actionsOf(statements[0] as never)).toEqual(["bedrock:InvokeModel"]);
        expect(JSON.stringify(statements[0])).toContain(`:foundation-model/${MODEL}`);
        expect(env.WARDEN_BEDROCK_MODEL_ID).toBe(MODEL);
      } else {
        expect(statements).toEqual([]);
        expect(env).not.toHaveProperty("WARDEN_BEDROCK_MODEL_ID");
      }
    }
  });
});

describe("Bedrock model resources", () => {
  const stack = new Stack(new App(), "S", { env: { account: "123456789012", region: "eu-west-1" } });
  const key = Key.fromKeyArn(stack, "K", "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab");
  const targets = { tableName: "t", tableKey: key, dataKey: key, jwtKey: key };
  const resources = (modelId?: string) =>
    accessStatements(stack, { summariserModel: true }, { ...targets, ...(modelId ? { bedrockModelId: modelId } : {}) })
      .map((s) => s.toJSON())
      .filter((s) => JSON.stringify(s.Action).includes("bedrock"))
      .flatMap((s) => [s.Resource].flat().map((r) => JSON.stringify(stack.resolve(r))));

  it("grants nothing where the deployment names no model", () => {
    expect(resources()).toEqual([]);
  });

  it("scopes a foundation model to the stack's region, and an inference profile to the profile and its model", () => {
    expect(resources(MODEL)).toEqual([expect.stringContaining(`:bedrock:eu-west-1::foundation-model/${MODEL}`)]);
    const profile = resources(`eu.${MODEL}`);
    expect(profile).toHaveLength(2);
    expect(profile[0]).toContain(`:bedrock:eu-west-1:123456789012:inference-profile/eu.${MODEL}`);
    expect(profile[1]).toContain(`:bedrock:*::foundation-model/${MODEL}`);
  });
});
