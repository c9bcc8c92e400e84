/**
 * The Stripe configuration of a deployed stack: `-c stripeSecretArn=` names a Secrets Manager
 * secret; only the functions that talk to Stripe (rows and workers with `paymentSecrets`) may read
 * it — GetSecretValue on that one secret — and only they are told where it is. Every function
 * learns that Stripe is configured (WARDEN_PAYMENTS), none sees a Stripe value in its environment.
 */
import { App, Stack } from "aws-cdk-lib";
import type { Template } from "aws-cdk-lib/assertions";
import { Key } from "aws-cdk-lib/aws-kms";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accessStatements, paymentSecretResource } from "#infra/constructs/access-policy.ts";
import { billingRoutes } from "#infra/routes/billing.ts";
import { workers } from "#infra/workers.ts";
import { routeKey } from "#shared/kit/route.ts";
import { actionsOf, type SynthesizedWarden, statementsOfFunction, synthWarden } from "./synth-app.ts";

const SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:warden/stripe-AbCdEf";
const meters = workers.filter((w) => w.id === "workers-billing-meters");
let warden: SynthesizedWarden;
let routesTemplate: Template;
let workersTemplate: Template;

beforeAll(async () => {
  warden = await synthWarden({ routeFiles: { billing: billingRoutes }, workers: meters, stripeSecretArn: SECRET });
  const stack = warden.routeStacks[0];
  if (!stack || !warden.workers) throw new Error("expected the billing routes stack and a workers stack");
  routesTemplate = warden.template(stack);
  workersTemplate = warden.template(warden.workers);
}, 240_000);
afterAll(() => warden?.cleanup());

const secretStatements = (template: Template, description: string) =>
  statementsOfFunction(template, description).filter((s) => actionsOf(s).some((a) => a.startsWith("secretsmanager:")));
const environmentOf = (template: Template, description: string): Record<string, unknown> => {
  const [fn] = Object.values(
    template.findResources("AWS::Lambda::Function", { Properties: { Description: description } }),
  );
  return fn?.Properties.Environment.Variables ?? {};
};

describe("payment secret (-c stripeSecretArn)", () => {
  it("lets exactly the Stripe-talking billing routes read that one secret, and nothing else", () => {
    const stripeRows = billingRoutes.filter((r) => r.access.paymentSecrets);
    expect(stripeRows.map((r) => r.path).sort()).toEqual([
      "/api/billing/checkout",
      "/api/billing/portal",
      "/api/billing/upgrade",
      "/api/billing/webhook/stripe",
    ]);
    for (const route of billingRoutes) {
      const statements = secretStatements(routesTemplate, routeKey(route));
      const env = environmentOf(routesTemplate, routeKey(route));
      if (route.access.paymentSecrets) {
        expect(statements).toEqual([{ Action: "secretsmanager:GetSecretValue", Effect: "Allow", Resource: SECRET }]);
        expect(env.WARDEN_STRIPE_SECRET_ARN).toBe(SECRET);
      } else {
        expect(statements).toEqual([]);
        expect(env).not.toHaveProperty("WARDEN_STRIPE_SECRET_ARN");
      }
      expect(env.WARDEN_PAYMENTS).toBe("stripe");
      expect(Object.keys(env).filter((k) => k.startsWith("STRIPE_"))).toEqual([]);
    }
  });

  it("lets the meter worker read it too", () => {
    const description = "Worker workers-billing-meters (table-stream)";
    expect(secretStatements(workersTemplate, description)).toEqual([
      { Action: "secretsmanager:GetSecretValue", Effect: "Allow", Resource: SECRET },
    ]);
    expect(environmentOf(workersTemplate, description).WARDEN_STRIPE_SECRET_ARN).toBe(SECRET);
  });
});

describe("payment secret resource", () => {
  const stack = new Stack(new App(), "S", { env: { account: "123456789012", region: "eu-west-1" } });
  const key = Key.fromKeyArn(stack, "K", "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab");
  const targets = { tableName: "t", tableKey: key, dataKey: key, jwtKey: key };
  const secretActions = (statements: ReturnType<typeof accessStatements>) =>
    statements.map((s) => s.toJSON()).filter((s) => JSON.stringify(s.Action).includes("secretsmanager"));

  it("grants nothing where the deployment names no secret, even to a function that would talk to Stripe", () => {
    expect(secretActions(accessStatements(stack, { table: "RW", paymentSecrets: true }, targets))).toEqual([]);
  });

  it("scopes a secret given by name to that name with Secrets Manager's random suffix", () => {
    const [statement] = secretActions(
      accessStatements(stack, { paymentSecrets: true }, { ...targets, paymentSecretArn: "warden/stripe" }),
    );
    expect(stack.resolve(statement?.Resource)).toEqual({
      "Fn::Join": [
        "",
        ["arn:", { Ref: "AWS::Partition" }, ":secretsmanager:eu-west-1:123456789012:secret:warden/stripe-??????"],
      ],
    });
    expect(paymentSecretResource(stack, SECRET)).toBe(SECRET);
  });
});
