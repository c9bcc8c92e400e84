/**
 * The token-signing key's public half, shipped with the deployment (issue 16 item 3;
 * infra/constructs/token-public-keys.ts): one lookup function in the data stack may read it from
 * KMS (kms:GetPublicKey on the signing key, nothing else); each stack with verifiers has its own
 * lookup resource, keyed by the key's ARN; every function that verifies tokens or serves the JWKS
 * gets the value as `WARDEN_JWT_PUBLIC_KEY` and holds no KMS grant; the signers keep kms:Sign (and
 * kms:GetPublicKey, to check the shipped key is theirs). On one synth of the sign-in routes and
 * the WebSocket authorizer.
 */
import type { Stack } from "aws-cdk-lib";
import type { Template } from "aws-cdk-lib/assertions";
import { ServerlessChecks } from "cdk-nag";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signInRoutes } from "#infra/routes/sign-in.ts";
import { workers } from "#infra/workers.ts";
import { routeKey } from "#shared/kit/route.ts";
import {
  actionsOf,
  nagFindings,
  nistFindings,
  type Statement,
  type SynthesizedWarden,
  statementsOfFunction,
  synthWarden,
} from "./synth-app.ts";

const LOOKUP = "Deploy time: reads the token-signing keys' public halves for the verifiers";
const AUTHORIZER = "Worker realtime-authorize (none)";
const SHIPPED = { "Fn::GetAtt": ["TokenPublicKeys", "PublicKey"] };

let warden: SynthesizedWarden;
const routeStack = (): Stack => {
  const [stack] = warden.routeStacks;
  if (!stack) throw new Error("expected a routes stack");
  return stack;
};
const workersStack = (): Stack => {
  if (!warden.workers) throw new Error("expected a workers stack");
  return warden.workers;
};
type Fn = { Properties: { Environment: { Variables: Record<string, unknown> } } };
function functionOf(template: Template, description: string): Fn {
  const [fn, ...more] = Object.values(
    template.findResources("AWS::Lambda::Function", { Properties: { Description: description } }),
  );
  if (!fn || more.length > 0) throw new Error(`expected one function '${description}'`);
  return fn as Fn;
}
const kmsStatements = (template: Template, description: string): Statement[] =>
  statementsOfFunction(template, description).filter((s) => actionsOf(s).some((a) => a.startsWith("kms:")));
/** KMS statements other than the table key's use through DynamoDB (held by every function with the table). */
const tokenKeyStatements = (template: Template, description: string): Statement[] =>
  kmsStatements(template, description).filter((s) => JSON.stringify(s.Resource).includes("JwtSigningKey"));

const verifierKeys = signInRoutes.filter((r) => r.permission !== null || r.access.jwtPublicKey).map(routeKey);
const signerKeys = signInRoutes.filter((r) => r.access.jwtSign).map(routeKey);

beforeAll(async () => {
  warden = await synthWarden({
    routeFiles: { "sign-in": signInRoutes },
    workers: workers.filter((w) => w.id === "realtime-authorize"),
  });
}, 600_000);
afterAll(() => warden?.cleanup());

describe("the token public-key lookup", () => {
  it("is one function in the data stack that may only kms:GetPublicKey on the signing key", () => {
    const data = warden.template(warden.data);
    expect(warden.tokenKeyLookup).toBeDefined();
    const kms = kmsStatements(data, LOOKUP);
    expect(kms.flatMap(actionsOf)).toEqual(["kms:GetPublicKey"]);
    expect(kms.map((s) => s.Resource)).toEqual([{ "Fn::GetAtt": [expect.stringMatching(/^JwtSigningKey/), "Arn"] }]);
    // Logs, traces and that read: nothing else.
    const others = statementsOfFunction(data, LOOKUP)
      .flatMap(actionsOf)
      .filter((a) => !a.startsWith("kms:"));
    expect(others.sort()).toEqual(
      ["logs:CreateLogStream", "logs:PutLogEvents", "xray:PutTelemetryRecords", "xray:PutTraceSegments"].sort(),
    );
  });

  it("is a custom resource of Warden's own, not an AwsCustomResource (which garbles binary fields)", () => {
    for (const stack of warden.stacks) {
      expect(Object.keys(warden.template(stack).findResources("Custom::AWS")), stack.stackName).toEqual([]);
    }
  });

  it("gives each stack with verifiers one lookup resource whose properties name the signing key", () => {
    for (const stack of [routeStack(), workersStack()]) {
      const resources = Object.entries(warden.template(stack).findResources("Custom::WardenTokenPublicKeys"));
      expect(
        resources.map(([id]) => id),
        stack.stackName,
      ).toEqual(["TokenPublicKeys"]);
      const props = resources[0]?.[1].Properties;
      // A key replaced on a later deploy changes KeyArn, so the lookup runs again and the value changes.
      expect(JSON.stringify(props.KeyArn), stack.stackName).toMatch(/"Fn::ImportValue":".*JwtSigningKey.*Arn/);
      expect(JSON.stringify(props.ServiceToken), stack.stackName).toMatch(
        /TokenPublicKeyLookupProviderframeworkonEvent/,
      );
      expect(props.PreviousKeyArn, stack.stackName).toBeUndefined();
    }
    // Stacks without a verifier have none.
    expect(Object.keys(warden.template(warden.api).findResources("Custom::WardenTokenPublicKeys"))).toEqual([]);
  });

  it("passes cdk-nag (AwsSolutions, NIST 800-53 r5, Serverless) with its acknowledgements", () => {
    for (const stack of [warden.data, routeStack(), workersStack()]) {
      expect(nagFindings(stack), stack.stackName).toEqual([]);
      expect(nistFindings(stack), stack.stackName).toEqual([]);
    }
    const serverless = new ServerlessChecks().validateScope(warden.data);
    expect(
      serverless.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${r.constructPath}`)),
    ).toEqual([]);
  });

  it("needs nothing at synth: no lookup, no missing context", () => {
    expect(warden.assembly.manifest.missing ?? []).toEqual([]);
  });
});

describe("the verifiers", () => {
  it("get the public key as configuration and hold no KMS grant on the signing key", () => {
    expect(verifierKeys).toContain("GET /.well-known/jwks.json");
    expect(verifierKeys.length).toBeGreaterThan(3);
    const verifiers: [Template, string][] = [
      ...verifierKeys.map((key): [Template, string] => [warden.template(routeStack()), key]),
      [warden.template(workersStack()), AUTHORIZER],
    ];
    for (const [template, key] of verifiers) {
      const env = functionOf(template, key).Properties.Environment.Variables;
      expect(env.WARDEN_JWT_PUBLIC_KEY, key).toEqual(SHIPPED);
      expect(env.JWT_KMS_KEY_ID, key).toBeUndefined();
      expect(env.WARDEN_JWT_PREVIOUS_PUBLIC_KEY, key).toBeUndefined();
      expect(env.JWT_PREVIOUS_KMS_KEY_ID, key).toBeUndefined();
      expect(tokenKeyStatements(template, key), key).toEqual([]);
      expect(kmsStatements(template, key).flatMap(actionsOf), key).not.toContain("kms:GetPublicKey");
    }
  });
});

describe("the signers", () => {
  it("keep kms:Sign and kms:GetPublicKey on the signing key, and get the shipped key to check it", () => {
    expect(signerKeys).toContain("POST /api/auth/login");
    const template = warden.template(routeStack());
    for (const key of signerKeys) {
      const env = functionOf(template, key).Properties.Environment.Variables;
      expect(env.WARDEN_JWT_PUBLIC_KEY, key).toEqual(SHIPPED);
      expect(JSON.stringify(env.JWT_KMS_KEY_ID), key).toMatch(/JwtSigningKey/);
      expect(tokenKeyStatements(template, key).flatMap(actionsOf).sort(), key).toEqual([
        "kms:GetPublicKey",
        "kms:Sign",
      ]);
    }
  });
});
